#include "eventdock.h"

#include "eventfilter.h"
#include "eventlogmodel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMetaEnum>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace gw {

EventDock::EventDock(EventLogModel *model, QAction *exportAction, QAction *copyAction, QWidget *parent)
    : QDockWidget(tr("Event log"), parent)
    , m_model(model)
{
    setObjectName(QStringLiteral("eventDock"));
    // closable: View → Event log hides and shows it
    setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    auto *host = new QWidget(this);
    auto *layout = new QVBoxLayout(host);
    layout->setContentsMargins(4, 4, 4, 4);
    buildFilterRow(host, exportAction);
    buildView(host, copyAction);
    setWidget(host);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(250ms);
    connect(&m_searchDebounce, &QTimer::timeout, this, &EventDock::applyFilter);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce.start(); });
    connect(m_account, &QComboBox::currentIndexChanged, this, &EventDock::applyFilter);
    connect(m_severity, &QComboBox::currentIndexChanged, this, &EventDock::applyFilter);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &EventDock::applyFilter);
}

EventDock::~EventDock() = default;

void EventDock::buildFilterRow(QWidget *host, QAction *exportAction)
{
    auto *row = new QHBoxLayout;
    m_account = new QComboBox(host);
    m_account->setObjectName(QStringLiteral("eventAccountFilter"));
    m_account->addItem(tr("All accounts"), QString());
    m_account->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_severity = new QComboBox(host);
    m_severity->setObjectName(QStringLiteral("eventSeverityFilter"));
    m_severity->addItem(tr("All severities"), int(Severity::Debug));
    m_severity->addItem(tr("Info and above"), int(Severity::Info));
    m_severity->addItem(tr("Warnings and errors"), int(Severity::Warning));
    m_severity->addItem(tr("Errors only"), int(Severity::Error));
    m_kind = new QComboBox(host);
    m_kind->setObjectName(QStringLiteral("eventKindFilter"));
    m_kind->addItem(tr("All kinds"), -1);
    const QMetaEnum kinds = QMetaEnum::fromType<EventKind>();
    for (int i = 0; i < kinds.keyCount(); ++i)
        m_kind->addItem(eventKindDisplayName(EventKind(kinds.value(i))), kinds.value(i));
    m_search = new QLineEdit(host);
    m_search->setObjectName(QStringLiteral("eventSearch"));
    m_search->setPlaceholderText(tr("Search messages (Ctrl+F; Esc clears)"));
    m_search->setClearButtonEnabled(true);
    auto *clearSearch = new QAction(m_search);
    clearSearch->setShortcut(QKeySequence(Qt::Key_Escape));
    clearSearch->setShortcutContext(Qt::WidgetShortcut);
    m_search->addAction(clearSearch);
    connect(clearSearch, &QAction::triggered, m_search, &QLineEdit::clear);
    row->addWidget(m_account);
    row->addWidget(m_severity);
    row->addWidget(m_kind);
    row->addWidget(m_search, 1);
    auto *exportButton = new QToolButton(host);
    exportButton->setDefaultAction(exportAction);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    row->addWidget(exportButton);
    static_cast<QVBoxLayout *>(host->layout())->addLayout(row);
}

void EventDock::buildView(QWidget *host, QAction *copyAction)
{
    m_view = new QTableView(host);
    m_view->setObjectName(QStringLiteral("eventView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    // from the font, not pixels: a larger font keeps whole timestamps
    const QFontMetrics fm = m_view->fontMetrics();
    const int pad = fm.horizontalAdvance(QLatin1Char('M'));
    m_view->setColumnWidth(EventLogModel::TimeColumn, fm.horizontalAdvance(QStringLiteral("2026-12-31 23:59:59.999")) + pad);
    m_view->setColumnWidth(EventLogModel::AccountColumn, 13 * pad);
    m_view->setColumnWidth(EventLogModel::SeverityColumn, fm.horizontalAdvance(QStringLiteral("Warning")) + 3 * pad);
    m_view->setColumnWidth(EventLogModel::KindColumn, 15 * pad);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(copyAction);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    static_cast<QVBoxLayout *>(host->layout())->addWidget(m_view, 1);
}

void EventDock::focusSearch()
{
    show();
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void EventDock::copySelectedRows()
{
    QList<int> rows;
    const QModelIndexList selected = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &i : selected)
        rows.append(i.row());
    const QString text = m_model->rowsAsTsv(rows);
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

void EventDock::addAccount(const QString &accountId, const QString &name)
{
    if (m_account->findData(accountId) < 0)
        m_account->addItem(name, accountId);
}

void EventDock::removeAccount(const QString &accountId)
{
    const int idx = m_account->findData(accountId);
    if (idx > 0)
        m_account->removeItem(idx);
}

void EventDock::applyFilter()
{
    EventFilter f;
    const QString account = m_account->currentData().toString();
    if (!account.isEmpty())
        f.accountIds = {account};
    const auto minSeverity = Severity(m_severity->currentData().toInt());
    if (minSeverity != Severity::Debug) {
        for (int s = int(minSeverity); s <= int(Severity::Error); ++s)
            f.severities.append(Severity(s));
    }
    const int kind = m_kind->currentData().toInt();
    if (kind >= 0)
        f.kinds = {EventKind(kind)};
    f.text = m_search->text().trimmed();
    m_model->setFilter(f);
}

} // namespace gw
