#include "disconnecthistorymodel.h"

#include "closecausestyle.h"
#include "closecode.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QGuiApplication>
#include <QLocale>

namespace gw {

DisconnectHistoryModel::DisconnectHistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

DisconnectHistoryModel::~DisconnectHistoryModel() = default;

void DisconnectHistoryModel::clear()
{
    if (m_records.isEmpty())
        return;
    beginResetModel();
    m_records.clear();
    endResetModel();
}

void DisconnectHistoryModel::setRecords(const QList<DisconnectRecord> &records)
{
    // records.tail(old.size()) has the same ids as old → insert the new head, update the rest
    const qsizetype added = records.size() - m_records.size();
    bool sameTail = added >= 0;
    for (qsizetype i = 0; sameTail && i < m_records.size(); ++i)
        sameTail = records.at(added + i).id == m_records.at(i).id;
    if (!sameTail) {
        beginResetModel();
        m_records = records;
        endResetModel();
        return;
    }
    if (added > 0) {
        beginInsertRows({}, 0, int(added) - 1);
        m_records = records.mid(0, added) + m_records;
        endInsertRows();
    }
    int first = -1, last = -1;
    for (qsizetype i = added; i < records.size(); ++i) {
        const auto &n = records.at(i);
        const auto &o = m_records.at(i);
        if (n.end != o.end || n.recoveredBy != o.recoveredBy || n.closeCount != o.closeCount || n.fatal != o.fatal
            || n.replayed != o.replayed || n.lost != o.lost || n.missed != o.missed || n.eventsLost != o.eventsLost
            || n.cause != o.cause) {
            m_records[i] = n;
            if (first < 0)
                first = int(i);
            last = int(i);
        }
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

int DisconnectHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int DisconnectHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DisconnectHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case StartColumn: return tr("Start");
    case DowntimeColumn: return tr("Downtime");
    case CauseColumn: return tr("Cause");
    case CodeColumn: return tr("Close code");
    case InitiatorColumn: return tr("Closed by");
    case RecoveryColumn: return tr("Recovered by");
    case ReplayedColumn: return tr("Replayed");
    case LostColumn: return tr("Lost");
    case ColumnCount: break;
    }
    return {};
}

namespace {

constexpr int k_numberAlignment = int(Qt::AlignRight | Qt::AlignVCenter);

QVariant downtimeCell(const DisconnectRecord &r, int role)
{
    const auto ms = r.downtimeMs();
    if (role == Qt::DisplayRole)
        return ms ? uiformat::duration(std::chrono::milliseconds(*ms)) : DisconnectHistoryModel::tr("ongoing");
    if (role == DisconnectHistoryModel::RawValueRole)
        return ms ? *ms : std::numeric_limits<qint64>::max();
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

QVariant codeCell(const DisconnectRecord &r, int role)
{
    // a code Gatewatch sent does not carry Discord's meaning of it (4000 keeps a session resumable)
    const bool ours = r.initiator == closeInitiatorName(CloseInitiator::Client);
    if (role == Qt::DisplayRole) {
        QString meaning = r.meaning.isEmpty() ? CloseCodes::nameFor(r.closeCode) : r.meaning;
        if (r.closeCode && ours)
            return DisconnectHistoryModel::tr("%1 · sent by Gatewatch").arg(*r.closeCode);
        if (r.closeCode)
            return DisconnectHistoryModel::tr("%1 · %2").arg(*r.closeCode).arg(meaning);
        if (meaning.isEmpty() || r.cause == closeCauseName(CloseCause::Transport))
            return DisconnectHistoryModel::tr("no close frame");
        return meaning;
    }
    if (role == Qt::ToolTipRole)
        return ours ? QVariant() : QVariant(CloseCodes::describe(r.closeCode));
    if (role == DisconnectHistoryModel::RawValueRole)
        return r.closeCode.value_or(0);
    return {};
}

QVariant recoveryCell(const DisconnectRecord &r, int role)
{
    if (role == Qt::DisplayRole) {
        if (r.fatal)
            return DisconnectHistoryModel::tr("— (failed)");
        switch (r.recoveredBy) {
        case DisconnectRecord::Recovery::Resume: return DisconnectHistoryModel::tr("RESUME");
        case DisconnectRecord::Recovery::Identify: return DisconnectHistoryModel::tr("IDENTIFY (new session)");
        case DisconnectRecord::Recovery::None: return DisconnectHistoryModel::tr("not yet");
        }
    }
    if (role == Qt::ForegroundRole) {
        const QPalette pal = QGuiApplication::palette();
        if (r.fatal)
            return StateStyle::color(StateStyle::Group::Failed, pal);
        if (r.recoveredBy == DisconnectRecord::Recovery::Identify)
            return StateStyle::color(StateStyle::Group::Degraded, pal);
        if (r.recoveredBy == DisconnectRecord::Recovery::None)
            return StateStyle::color(StateStyle::Group::Reconnecting, pal);
        return {};
    }
    if (role == DisconnectHistoryModel::RawValueRole)
        return int(r.recoveredBy);
    if (role == Qt::ToolTipRole && r.closeCount > 1)
        return DisconnectHistoryModel::tr("%1 closes before it recovered").arg(r.closeCount);
    return {};
}

QVariant replayedCell(const DisconnectRecord &r, int role)
{
    if (role == Qt::DisplayRole)
        return r.replayed ? QString::number(*r.replayed) : uiformat::dash();
    if (role == DisconnectHistoryModel::RawValueRole)
        return r.replayed.value_or(-1);
    if (role == Qt::ToolTipRole && (r.seqBefore || r.seqAfter))
        return DisconnectHistoryModel::tr("Sequence %1 → %2").arg(r.seqBefore ? QString::number(*r.seqBefore) : uiformat::dash(),
                                                r.seqAfter ? QString::number(*r.seqAfter) : uiformat::dash());
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

QVariant causeCell(const DisconnectRecord &r, int role)
{
    if (role == Qt::DisplayRole)
        return CloseCauseStyle::text(r.cause);
    if (role == DisconnectHistoryModel::RawValueRole)
        return r.cause;
    if (role == Qt::DecorationRole) {
        const QIcon icon = StateStyle::icon(CloseCauseStyle::severity(r));
        return icon.isNull() ? QVariant() : QVariant(icon);
    }
    if (role == Qt::ToolTipRole && CloseCauseStyle::isDeliberate(r))
        return DisconnectHistoryModel::tr("Gatewatch closed this connection on purpose");
    return {};
}

//! A new session replaced the old one: events were lost, their number is not known.
bool lostUnknown(const DisconnectRecord &r)
{
    return !r.lost && (r.eventsLost || r.recoveredBy == DisconnectRecord::Recovery::Identify);
}

QVariant lostCell(const DisconnectRecord &r, int role)
{
    if (role == Qt::DisplayRole) {
        if (r.lost)
            return *r.lost > 0 ? DisconnectHistoryModel::tr("lost %1").arg(QLocale().toString(*r.lost))
                               : DisconnectHistoryModel::tr("none lost");
        return lostUnknown(r) ? DisconnectHistoryModel::tr("unknown (new session)") : uiformat::dash();
    }
    if (role == DisconnectHistoryModel::RawValueRole)   // unknown sorts above every count, open below
        return r.lost ? *r.lost : (lostUnknown(r) ? std::numeric_limits<qint64>::max() : qint64(-1));
    if (role == Qt::ForegroundRole && ((r.lost && *r.lost > 0) || lostUnknown(r)))
        return StateStyle::color(StateStyle::Group::Degraded, QGuiApplication::palette());
    if (role == Qt::ToolTipRole && lostUnknown(r))
        return DisconnectHistoryModel::tr("A new session replaced the old one: the events sent in the gap were not "
                                          "delivered and their number is not known");
    if (role == Qt::ToolTipRole && r.missed)
        return DisconnectHistoryModel::tr("%1 events were sent while disconnected, %2 replayed")
            .arg(QLocale().toString(*r.missed), r.replayed ? QLocale().toString(*r.replayed) : uiformat::dash());
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

} // namespace

QVariant DisconnectHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DisconnectRecord &r = m_records.at(index.row());
    if (role == RecordIdRole)
        return r.id;
    if (role == SeverityRole)
        return int(CloseCauseStyle::severity(r));
    switch (Column(index.column())) {
    case StartColumn:
        if (role == Qt::DisplayRole)
            return uiformat::timestamp(r.start);
        if (role == RawValueRole)
            return r.start.toMSecsSinceEpoch();
        return {};
    case DowntimeColumn: return downtimeCell(r, role);
    case CauseColumn: return causeCell(r, role);
    case CodeColumn: return codeCell(r, role);
    case InitiatorColumn:
        if (role == Qt::DisplayRole || role == RawValueRole)
            return r.initiator;
        return {};
    case RecoveryColumn: return recoveryCell(r, role);
    case ReplayedColumn: return replayedCell(r, role);
    case LostColumn: return lostCell(r, role);
    case ColumnCount: break;
    }
    return {};
}

} // namespace gw
