#include "exportdialog.h"

#include "exportdialog_p.h"

#include "eventlogmodel.h"
#include "logging.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
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
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <atomic>

using namespace std::chrono_literals;

namespace gw {

namespace {
QListView *checkList(QWidget *parent, QStandardItemModel *model, const QString &name)
{
    auto *view = new QListView(parent);
    view->setObjectName(name);
    view->setModel(model);
    view->setUniformItemSizes(true);
    view->setMaximumHeight(110);
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
    EventFilter logFilter;       // what the event-log view shows; applied only on request
    QSettings *settings = nullptr;
    QComboBox *preset = nullptr;
    QDateTimeEdit *from = nullptr;
    QDateTimeEdit *to = nullptr;
    QList<QCheckBox *> severities;  // in Severity order
    QLineEdit *text = nullptr;
    QStandardItemModel accounts;
    QStandardItemModel kinds;
    QPushButton *useLogFilter = nullptr;
    QLabel *logFilterNote = nullptr;
    QLabel *summary = nullptr;
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
    void buildSeverityRows(ExportDialog *q, QFormLayout *form);
    void fillAccounts(const QList<QPair<QString, QString>> &list);
    void fillKinds();
    void buildLogFilterRow(ExportDialog *q, QVBoxLayout *layout);
    void buildTargetRow(ExportDialog *q, QFormLayout *form);
    [[nodiscard]] QString accountName(const QString &id) const;
};

ExportDialog::ExportDialog(const QString &databasePath, const QList<QPair<QString, QString>> &accounts,
                           QWidget *parent)
    : QDialog(parent)
    , d(std::make_unique<Private>())
{
    d->databasePath = databasePath;
    setWindowTitle(tr("Export event log"));
    setObjectName(QStringLiteral("exportDialog"));

    auto *layout = new QVBoxLayout(this);
    d->buildLogFilterRow(this, layout);
    auto *form = new QFormLayout;
    d->buildRangeRows(this, form);
    d->buildSeverityRows(this, form);
    d->fillAccounts(accounts);
    form->addRow(tr("&Accounts:"), checkList(this, &d->accounts, QStringLiteral("exportAccounts")));
    d->fillKinds();
    form->addRow(tr("&Kinds:"), checkList(this, &d->kinds, QStringLiteral("exportKinds")));

    d->format = new QComboBox(this);
    d->format->setObjectName(QStringLiteral("exportFormat"));
    d->format->addItem(tr("JSON Lines (.jsonl)"), int(ExportOptions::Format::JsonLines));
    d->format->addItem(tr("CSV (.csv)"), int(ExportOptions::Format::Csv));
    form->addRow(tr("&Format:"), d->format);
    d->buildTargetRow(this, form);
    connect(d->format, &QComboBox::currentIndexChanged, this, &ExportDialog::handleFormatChanged);

    d->summary = new QLabel(this);
    d->summary->setObjectName(QStringLiteral("exportSummary"));
    d->summary->setWordWrap(true);
    d->status = new QLabel(this);
    d->status->setObjectName(QStringLiteral("exportStatus"));
    d->status->setWordWrap(true);
    d->status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    d->buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    d->exportButton = d->buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    d->exportButton->setObjectName(QStringLiteral("exportButton"));
    d->exportButton->setDefault(true);
    connect(d->buttons, &QDialogButtonBox::accepted, this, &ExportDialog::startExport);
    connect(d->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&d->accounts, &QStandardItemModel::itemChanged, this, &ExportDialog::updateSummary);
    connect(&d->kinds, &QStandardItemModel::itemChanged, this, &ExportDialog::updateSummary);

    layout->addLayout(form);
    layout->addWidget(d->summary);
    layout->addWidget(d->status);
    layout->addWidget(d->buttons);
    resize(560, sizeHint().height());
    setLogFilter({});
    updateSummary();
    updateButtons();
}

void ExportDialog::Private::buildRangeRows(ExportDialog *q, QFormLayout *form)
{
    preset = new QComboBox(q);
    preset->setObjectName(QStringLiteral("exportRange"));
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
        QObject::connect(e, &QDateTimeEdit::dateTimeChanged, q, &ExportDialog::updateSummary);
    }
    rangeRow->addWidget(from);
    rangeRow->addWidget(new QLabel(ExportDialog::tr("to"), q));
    rangeRow->addWidget(to);
    form->addRow(ExportDialog::tr("From:"), rangeRow);
    QObject::connect(preset, &QComboBox::currentIndexChanged, q, &ExportDialog::handlePresetChanged);
}

void ExportDialog::Private::buildSeverityRows(ExportDialog *q, QFormLayout *form)
{
    auto *row = new QHBoxLayout;
    for (const Severity s : {Severity::Debug, Severity::Info, Severity::Warning, Severity::Error}) {
        auto *box = new QCheckBox(severityDisplayName(s), q);
        box->setObjectName(QStringLiteral("exportSeverity_") + severityName(s));
        box->setChecked(true);
        QObject::connect(box, &QCheckBox::toggled, q, &ExportDialog::updateSummary);
        severities.append(box);
        row->addWidget(box);
    }
    row->addStretch(1);
    auto *label = new QLabel(ExportDialog::tr("Se&verities:"), q);
    label->setBuddy(severities.first());  // a row of checkboxes gets no buddy from QFormLayout
    form->addRow(label, row);
    text = new QLineEdit(q);
    text->setObjectName(QStringLiteral("exportText"));
    text->setPlaceholderText(ExportDialog::tr("any message"));
    text->setClearButtonEnabled(true);
    form->addRow(ExportDialog::tr("&Message contains:"), text);
    QObject::connect(text, &QLineEdit::textChanged, q, &ExportDialog::updateSummary);
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

void ExportDialog::Private::buildLogFilterRow(ExportDialog *q, QVBoxLayout *layout)
{
    auto *row = new QHBoxLayout;
    logFilterNote = new QLabel(q);
    logFilterNote->setObjectName(QStringLiteral("logFilterNote"));
    logFilterNote->setWordWrap(true);
    useLogFilter = new QPushButton(ExportDialog::tr("&Use the log's current filter"), q);
    useLogFilter->setObjectName(QStringLiteral("useLogFilterButton"));
    row->addWidget(logFilterNote, 1);
    row->addWidget(useLogFilter, 0, Qt::AlignTop);
    layout->addLayout(row);
    QObject::connect(useLogFilter, &QPushButton::clicked, q, [this, q] { q->setFilter(logFilter); });
}

void ExportDialog::Private::buildTargetRow(ExportDialog *q, QFormLayout *form)
{
    auto *fileRow = new QHBoxLayout;
    target = new QLineEdit(q);
    target->setObjectName(QStringLiteral("exportTarget"));
    target->setText(QDir(defaultExportFolder(nullptr)).filePath(defaultExportFileName(ExportOptions::Format::JsonLines)));
    auto *browse = new QPushButton(ExportDialog::tr("&Browse…"), q);
    fileRow->addWidget(target, 1);
    fileRow->addWidget(browse);
    auto *saveLabel = new QLabel(ExportDialog::tr("&Save to:"), q);
    saveLabel->setBuddy(target);
    form->addRow(saveLabel, fileRow);
    QObject::connect(browse, &QPushButton::clicked, q, &ExportDialog::handleBrowse);
    QObject::connect(target, &QLineEdit::textChanged, q, &ExportDialog::updateButtons);
}

QString ExportDialog::Private::accountName(const QString &id) const
{
    for (int r = 0; r < accounts.rowCount(); ++r) {
        if (accounts.item(r)->data(Qt::UserRole).toString() == id)
            return accounts.item(r)->text();
    }
    return id;
}

ExportDialog *ExportDialog::openOver(QWidget *parent, const QString &databasePath,
                                     const QList<QPair<QString, QString>> &accounts, const EventFilter &logFilter,
                                     QSettings *settings)
{
    auto *dialog = new ExportDialog(databasePath, accounts, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setLogFilter(logFilter);
    dialog->setSettings(settings);
    dialog->open();
    return dialog;
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
    for (qsizetype i = 0; i < d->severities.size(); ++i)
        d->severities.at(i)->setChecked(filter.severities.isEmpty() || filter.severities.contains(Severity(i)));
    d->text->setText(filter.text);
    if (filter.from.isValid() || filter.to.isValid())
        setCustomRange(filter.from, filter.to);
    else
        setRangePreset(RangePreset::All);
    updateSummary();
}

void ExportDialog::setLogFilter(const EventFilter &filter)
{
    d->logFilter = filter;
    const bool filtered = !(filter == EventFilter{});
    d->useLogFilter->setEnabled(filtered);
    d->logFilterNote->setText(filtered ? tr("The event log shows only: %1. This export starts from everything.")
                                             .arg(describeFilter(filter, [this](const QString &id) { return d->accountName(id); }, true))
                                       : tr("The event log shows everything."));
}

void ExportDialog::setSettings(QSettings *settings)
{
    d->settings = settings;
    const QString file = QFileInfo(targetFile()).fileName();
    setTargetFile(QDir(defaultExportFolder(settings)).filePath(file));
}

QString ExportDialog::summaryText() const
{
    return d->summary->text();
}

QString ExportDialog::statusText() const
{
    return d->status->text();
}

QString ExportDialog::logFilterText() const
{
    return d->logFilterNote->text();
}

void ExportDialog::updateSummary()
{
    if (!d->summary)
        return;  // still being built
    d->summary->setText(tr("Exports: %1.").arg(describeFilter(options().filter, [this](const QString &id) {
        return d->accountName(id);
    })));
}

void ExportDialog::handleFormatChanged()
{
    // The extension follows the format.
    const bool csv = ExportOptions::Format(d->format->currentData().toInt()) == ExportOptions::Format::Csv;
    setTargetFile(withExportSuffix(targetFile(), csv ? ExportOptions::Format::Csv : ExportOptions::Format::JsonLines));
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
    updateSummary();
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
    for (qsizetype i = 0; i < d->severities.size(); ++i) {
        if (d->severities.at(i)->isChecked())
            o.filter.severities.append(Severity(i));
    }
    if (o.filter.severities.size() == d->severities.size())
        o.filter.severities.clear();
    o.filter.text = d->text->text().trimmed();
    const QDateTime now = QDateTime::currentDateTimeUtc();
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
    bool allAccounts = false;
    if (checkedData(&d->accounts, &allAccounts).isEmpty() && d->accounts.rowCount() > 0) {
        d->status->setText(tr("Select at least one account."));
        return;
    }
    if (std::none_of(d->severities.cbegin(), d->severities.cend(), [](const QCheckBox *b) { return b->isChecked(); })) {
        d->status->setText(tr("Select at least one severity."));
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
            const QString path = QDir::toNativeSeparators(d->file->fileName());
            message = rows == 1 ? tr("1 event written to %1").arg(path) : tr("%L1 events written to %2").arg(rows).arg(path);
            if (d->settings)
                d->settings->setValue(QStringLiteral("export/last_folder"), QFileInfo(d->file->fileName()).absolutePath());
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
