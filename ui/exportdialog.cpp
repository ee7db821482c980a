#include "exportdialog.h"

#include "eventlogmodel.h"
#include "logging.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QMetaEnum>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QThread>
#include <QVBoxLayout>

#include <atomic>

using namespace std::chrono_literals;

namespace gw {

namespace {
QListView *checkList(QWidget *parent, QStandardItemModel *model)
{
    auto *view = new QListView(parent);
    view->setModel(model);
    view->setUniformItemSizes(true);
    view->setMaximumHeight(130);
    return view;
}

QList<QString> checkedData(const QStandardItemModel *model, bool *all)
{
    QList<QString> out;
    *all = true;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QStandardItem *item = model->item(r);
        if (item->checkState() == Qt::Checked)
            out.append(item->data(Qt::UserRole).toString());
        else
            *all = false;
    }
    return out;
}
} // namespace

class ExportDialog::Private
{
public:
    QString databasePath;
    EventFilter baseFilter;
    QComboBox *preset = nullptr;
    QDateTimeEdit *from = nullptr;
    QDateTimeEdit *to = nullptr;
    QStandardItemModel accounts;
    QStandardItemModel kinds;
    QComboBox *format = nullptr;
    QLineEdit *target = nullptr;
    QLabel *status = nullptr;
    QPushButton *exportButton = nullptr;
    QDialogButtonBox *buttons = nullptr;

    // running export
    QThread *thread = nullptr;
    std::unique_ptr<Exporter> exporter;
    std::unique_ptr<QSaveFile> file;
    QPointer<QProgressDialog> progress;
    Expected<qint64, EventLogError> result{EventLogError{}};
    std::atomic<bool> cancelled{false};

    void buildRangeRows(ExportDialog *q, QFormLayout *form);
    void fillAccounts(const QList<QPair<QString, QString>> &list);
    void fillKinds();
    void buildTargetRow(ExportDialog *q, QFormLayout *form);
};

ExportDialog::ExportDialog(const QString &databasePath, const QList<QPair<QString, QString>> &accounts,
                           QWidget *parent)
    : QDialog(parent)
    , d(std::make_unique<Private>())
{
    d->databasePath = databasePath;
    setWindowTitle(tr("Export event log"));
    setObjectName(QStringLiteral("exportDialog"));

    auto *form = new QFormLayout;
    d->buildRangeRows(this, form);
    d->fillAccounts(accounts);
    form->addRow(tr("&Accounts:"), checkList(this, &d->accounts));
    d->fillKinds();
    form->addRow(tr("&Kinds:"), checkList(this, &d->kinds));

    d->format = new QComboBox(this);
    d->format->addItem(tr("JSON Lines (.jsonl)"), int(ExportOptions::Format::JsonLines));
    d->format->addItem(tr("CSV (.csv)"), int(ExportOptions::Format::Csv));
    form->addRow(tr("&Format:"), d->format);
    d->buildTargetRow(this, form);

    d->status = new QLabel(this);
    d->status->setWordWrap(true);

    d->buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    d->exportButton = d->buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    d->exportButton->setObjectName(QStringLiteral("exportButton"));
    d->exportButton->setDefault(true);
    connect(d->buttons, &QDialogButtonBox::accepted, this, &ExportDialog::startExport);
    connect(d->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(d->status);
    layout->addWidget(d->buttons);
    resize(520, sizeHint().height());
    updateButtons();
}

void ExportDialog::Private::buildRangeRows(ExportDialog *q, QFormLayout *form)
{
    preset = new QComboBox(q);
    preset->addItem(ExportDialog::tr("Everything"), int(RangePreset::All));
    preset->addItem(ExportDialog::tr("Last hour"), int(RangePreset::LastHour));
    preset->addItem(ExportDialog::tr("Last 24 hours"), int(RangePreset::LastDay));
    preset->addItem(ExportDialog::tr("Last 7 days"), int(RangePreset::LastWeek));
    preset->addItem(ExportDialog::tr("Last 30 days"), int(RangePreset::LastMonth));
    preset->addItem(ExportDialog::tr("Custom…"), int(RangePreset::Custom));
    form->addRow(ExportDialog::tr("&Range:"), preset);
    auto *rangeRow = new QHBoxLayout;
    from = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), q);
    to = new QDateTimeEdit(QDateTime::currentDateTime(), q);
    for (auto *e : {from, to}) {
        e->setCalendarPopup(true);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        e->setEnabled(false);
    }
    rangeRow->addWidget(from);
    rangeRow->addWidget(new QLabel(ExportDialog::tr("to"), q));
    rangeRow->addWidget(to);
    form->addRow(ExportDialog::tr("From:"), rangeRow);
    QObject::connect(preset, &QComboBox::currentIndexChanged, q, &ExportDialog::handlePresetChanged);
}

void ExportDialog::Private::fillAccounts(const QList<QPair<QString, QString>> &list)
{
    for (const auto &[id, name] : list) {
        auto *item = new QStandardItem(name);
        item->setData(id, Qt::UserRole);
        item->setCheckable(true);
        item->setCheckState(Qt::Checked);
        accounts.appendRow(item);
    }
}

void ExportDialog::Private::fillKinds()
{
    const QMetaEnum kindEnum = QMetaEnum::fromType<EventKind>();
    for (int i = 0; i < kindEnum.keyCount(); ++i) {
        const auto kind = EventKind(kindEnum.value(i));
        auto *item = new QStandardItem(eventKindDisplayName(kind));
        item->setData(eventKindName(kind), Qt::UserRole);
        item->setData(int(kind), Qt::UserRole + 1);
        item->setCheckable(true);
        item->setCheckState(Qt::Checked);
        kinds.appendRow(item);
    }
}

void ExportDialog::Private::buildTargetRow(ExportDialog *q, QFormLayout *form)
{
    auto *fileRow = new QHBoxLayout;
    target = new QLineEdit(q);
    target->setObjectName(QStringLiteral("exportTarget"));
    QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (docs.isEmpty())
        docs = QDir::homePath();
    target->setText(QDir(docs).filePath(QStringLiteral("gatewatch-events-%1.jsonl")
                                            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm")))));
    auto *browse = new QPushButton(ExportDialog::tr("&Browse…"), q);
    fileRow->addWidget(target, 1);
    fileRow->addWidget(browse);
    auto *saveLabel = new QLabel(ExportDialog::tr("&Save to:"), q);
    saveLabel->setBuddy(target);
    form->addRow(saveLabel, fileRow);
    QObject::connect(browse, &QPushButton::clicked, q, &ExportDialog::handleBrowse);
    QObject::connect(target, &QLineEdit::textChanged, q, &ExportDialog::updateButtons);
}

ExportDialog::~ExportDialog()
{
    if (d->thread) {
        if (d->exporter)
            d->exporter->cancel();
        d->thread->wait();
    }
}

void ExportDialog::setFilter(const EventFilter &filter)
{
    d->baseFilter = filter;
    for (int r = 0; r < d->accounts.rowCount(); ++r) {
        auto *item = d->accounts.item(r);
        const bool on = filter.accountIds.isEmpty() || filter.accountIds.contains(item->data(Qt::UserRole).toString());
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    }
    for (int r = 0; r < d->kinds.rowCount(); ++r) {
        auto *item = d->kinds.item(r);
        const bool on = filter.kinds.isEmpty() || filter.kinds.contains(EventKind(item->data(Qt::UserRole + 1).toInt()));
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    }
    if (filter.from.isValid() || filter.to.isValid())
        setCustomRange(filter.from, filter.to);
}

void ExportDialog::setRangePreset(RangePreset preset)
{
    d->preset->setCurrentIndex(d->preset->findData(int(preset)));
}

void ExportDialog::setCustomRange(const QDateTime &from, const QDateTime &to)
{
    setRangePreset(RangePreset::Custom);
    if (from.isValid())
        d->from->setDateTime(from.toLocalTime());
    if (to.isValid())
        d->to->setDateTime(to.toLocalTime());
}

void ExportDialog::setFormat(ExportOptions::Format format)
{
    d->format->setCurrentIndex(d->format->findData(int(format)));
}

void ExportDialog::setTargetFile(const QString &path)
{
    d->target->setText(path);
}

QString ExportDialog::targetFile() const
{
    return d->target->text().trimmed();
}

bool ExportDialog::isRunning() const
{
    return d->thread != nullptr;
}

void ExportDialog::handlePresetChanged(int index)
{
    const bool custom = RangePreset(d->preset->itemData(index).toInt()) == RangePreset::Custom;
    d->from->setEnabled(custom);
    d->to->setEnabled(custom);
}

void ExportDialog::handleBrowse()
{
    const bool csv = ExportOptions::Format(d->format->currentData().toInt()) == ExportOptions::Format::Csv;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export event log"), targetFile(),
                                                      csv ? tr("CSV (*.csv)") : tr("JSON Lines (*.jsonl)"));
    if (!path.isEmpty())
        setTargetFile(path);
}

void ExportDialog::updateButtons()
{
    d->exportButton->setEnabled(!isRunning() && !targetFile().isEmpty());
}

ExportOptions ExportDialog::options() const
{
    ExportOptions o;
    o.format = ExportOptions::Format(d->format->currentData().toInt());
    o.filter = d->baseFilter;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    o.filter.from = QDateTime();
    o.filter.to = QDateTime();
    switch (RangePreset(d->preset->currentData().toInt())) {
    case RangePreset::All: break;
    case RangePreset::LastHour: o.filter.from = now.addSecs(-3600); break;
    case RangePreset::LastDay: o.filter.from = now.addDays(-1); break;
    case RangePreset::LastWeek: o.filter.from = now.addDays(-7); break;
    case RangePreset::LastMonth: o.filter.from = now.addDays(-30); break;
    case RangePreset::Custom:
        o.filter.from = d->from->dateTime().toUTC();
        o.filter.to = d->to->dateTime().toUTC();
        break;
    }
    bool all = false;
    const QList<QString> ids = checkedData(&d->accounts, &all);
    o.filter.accountIds = all ? QStringList() : QStringList(ids);
    QList<EventKind> kinds;
    for (int r = 0; r < d->kinds.rowCount(); ++r) {
        if (d->kinds.item(r)->checkState() == Qt::Checked)
            kinds.append(EventKind(d->kinds.item(r)->data(Qt::UserRole + 1).toInt()));
    }
    o.filter.kinds = kinds.size() == d->kinds.rowCount() ? QList<EventKind>() : kinds;
    return o;
}

void ExportDialog::startExport()
{
    if (isRunning())
        return;
    const ExportOptions opts = options();
    if (!opts.filter.accountIds.isEmpty() || d->accounts.rowCount() == 0) {
        // fine: a selection (or no accounts known yet: export everything)
    }
    bool allAccounts = false;
    if (checkedData(&d->accounts, &allAccounts).isEmpty() && d->accounts.rowCount() > 0) {
        d->status->setText(tr("Select at least one account."));
        return;
    }
    if (opts.filter.from.isValid() && opts.filter.to.isValid() && opts.filter.from >= opts.filter.to) {
        d->status->setText(tr("The start of the range must be before its end."));
        return;
    }
    d->file = std::make_unique<QSaveFile>(targetFile());
    if (!d->file->open(QIODevice::WriteOnly)) {
        d->status->setText(tr("Cannot write %1: %2").arg(targetFile(), d->file->errorString()));
        d->file.reset();
        return;
    }
    d->exporter = std::make_unique<Exporter>(d->databasePath);
    d->cancelled = false;
    QPointer<ExportDialog> self(this);
    d->exporter->setProgressCallback([self](qint64 written, qint64 total) {
        QMetaObject::invokeMethod(self, [self, written, total] {
            if (self)
                self->handleProgress(written, total);
        }, Qt::QueuedConnection);
    }, 5000);

    d->progress = new QProgressDialog(tr("Exporting events…"), tr("Cancel"), 0, 0, this);
    d->progress->setObjectName(QStringLiteral("exportProgress"));
    d->progress->setWindowModality(Qt::WindowModal);
    d->progress->setMinimumDuration(500);
    d->progress->setAutoClose(false);
    d->progress->setAutoReset(false);
    connect(d->progress, &QProgressDialog::canceled, this, &ExportDialog::cancelExport);

    Exporter *exporter = d->exporter.get();
    QSaveFile *file = d->file.get();
    auto *result = &d->result;
    d->thread = QThread::create([exporter, file, opts, result] {
        *result = exporter->exportTo(file, opts);
    });
    d->thread->setObjectName(QStringLiteral("gatewatch-export"));
    connect(d->thread, &QThread::finished, this, &ExportDialog::handleThreadFinished);
    d->status->setText(tr("Exporting…"));
    updateButtons();
    qCInfo(lcUi) << "export started:" << (opts.format == ExportOptions::Format::Csv ? "csv" : "jsonl");
    d->thread->start();
}

void ExportDialog::cancelExport()
{
    if (!d->exporter)
        return;
    d->cancelled = true;
    d->exporter->cancel();
}

void ExportDialog::handleProgress(qint64 written, qint64 total)
{
    if (!d->progress)
        return;
    d->progress->setMaximum(int(std::min<qint64>(total, std::numeric_limits<int>::max())));
    d->progress->setValue(int(std::min<qint64>(written, std::numeric_limits<int>::max())));
    d->progress->setLabelText(tr("Exported %L1 of %L2 events…").arg(written).arg(total));
}

void ExportDialog::handleThreadFinished()
{
    d->thread->deleteLater();
    d->thread = nullptr;
    if (d->progress) {
        d->progress->close();
        d->progress->deleteLater();
    }
    bool ok = false;
    qint64 rows = 0;
    QString message;
    if (d->result) {
        rows = *d->result;
        if (d->file->commit()) {
            ok = true;
            message = tr("Exported %L1 events to %2.").arg(rows).arg(d->file->fileName());
        } else {
            message = tr("Could not save %1: %2").arg(d->file->fileName(), d->file->errorString());
        }
    } else {
        d->file->cancelWriting();
        d->file->commit();  // discards the temporary file
        message = d->result.error().code == EventLogError::Code::Cancelled
            ? tr("Export cancelled; nothing was written.")
            : tr("Export failed: %1").arg(d->result.error().message);
    }
    d->file.reset();
    d->exporter.reset();
    d->status->setText(message);
    updateButtons();
    qCInfo(lcUi) << "export finished:" << ok << rows;
    Q_EMIT exportFinished(ok, rows, message);
}

} // namespace gw
