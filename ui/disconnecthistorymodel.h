#pragma once

#include "historytypes.h"

#include <QAbstractTableModel>

namespace gw {

//! The details pane's disconnect history, newest first: start, downtime, the cause in words
//! (an icon only when it is worth a warning: closes Gatewatch made on purpose are information),
//! events lost ("lost N", "none lost", "unknown (new session)"), close code and meaning, who
//! closed, how it recovered (RESUME, or IDENTIFY: a new session), events replayed. setRecords() diffs by record id: new disconnects are inserted
//! at the top and changed ones (a disconnect that ended) emit dataChanged; no reset per refresh.
class DisconnectHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DisconnectHistoryModel)

public:
    enum Column {
        StartColumn,
        DowntimeColumn,
        CauseColumn,
        LostColumn,
        CodeColumn,
        InitiatorColumn,
        RecoveryColumn,
        ReplayedColumn,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role { RawValueRole = Qt::UserRole, RecordIdRole, SeverityRole /*!< int(Severity) of the row */ };
    Q_ENUM(Role)

    explicit DisconnectHistoryModel(QObject *parent = nullptr);
    ~DisconnectHistoryModel() override;

    //! Records newest first (as HistorySource::disconnects returns them).
    void setRecords(const QList<DisconnectRecord> &records);
    void clear();
    [[nodiscard]] const QList<DisconnectRecord> &records() const { return m_records; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<DisconnectRecord> m_records;
};

} // namespace gw
