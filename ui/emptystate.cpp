#include "emptystate.h"

#include "logging.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QCoreApplication>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QVBoxLayout>

#include <utility>

namespace gw {

AccountsArea::AccountsArea(QWidget *table, QAbstractItemModel *model, QAction *addBot, QWidget *parent)
    : QStackedWidget(parent)
    , m_model(model)
    , m_hint(new QWidget(this))
    , m_table(table)
{
    setObjectName(QStringLiteral("accountsArea"));
    m_hint->setObjectName(QStringLiteral("emptyState"));
    auto *v = new QVBoxLayout(m_hint);
    v->addStretch(1);
    auto *title = new QLabel(tr("<h2>No bot yet</h2>"), m_hint);
    title->setAlignment(Qt::AlignCenter);
    auto *text = new QLabel(tr("Gatewatch watches the gateway connection of your Discord bots: whether they are "
                               "connected, how fast the heartbeat answers, every disconnect and how it recovered. "
                               "Add a bot with its token, or look around in the demo first (five bots on a "
                               "built-in gateway simulator; nothing of yours is touched)."), m_hint);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    // a fixed width and the height it needs there (a centred word-wrapped label gets neither by itself)
    const int textWidth = text->fontMetrics().horizontalAdvance(QLatin1Char('M')) * 36;
    text->setFixedWidth(textWidth);
    text->setMinimumHeight(text->heightForWidth(textWidth));
    auto *add = new QPushButton(tr("&Add your first bot…"), m_hint);
    add->setObjectName(QStringLiteral("emptyStateAddButton"));
    add->setDefault(true);
    m_demo = new QPushButton(tr("Try the &demo"), m_hint);
    m_demo->setObjectName(QStringLiteral("emptyStateDemoButton"));
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(add);
    buttons->addWidget(m_demo);
    buttons->addStretch(1);
    v->addWidget(title);
    v->addWidget(text, 0, Qt::AlignHCenter);
    v->addSpacing(8);
    v->addLayout(buttons);
    v->addStretch(2);
    addWidget(m_hint);
    addWidget(m_table);
    connect(add, &QPushButton::clicked, addBot, &QAction::trigger);
    connect(m_demo, &QPushButton::clicked, this, &AccountsArea::startDemo);
    connect(model, &QAbstractItemModel::rowsInserted, this, &AccountsArea::update);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &AccountsArea::update);
    connect(model, &QAbstractItemModel::modelReset, this, &AccountsArea::update);
    update();
}

AccountsArea::~AccountsArea() = default;

void AccountsArea::hideWhileEmpty(QWidget *widget)
{
    m_dependents.append(widget);
    update();
}

bool AccountsArea::isShowingHint() const
{
    return currentWidget() == m_hint;
}

QPushButton *AccountsArea::demoButton() const
{
    return m_demo;
}

void AccountsArea::update()
{
    const bool empty = m_model->rowCount() == 0;
    setCurrentWidget(empty ? m_hint : m_table);
    for (QWidget *w : std::as_const(m_dependents))
        w->setVisible(!empty);
}

void AccountsArea::startDemo()
{
    const bool started = QProcess::startDetached(QCoreApplication::applicationFilePath(), {QStringLiteral("--demo")});
    if (!started)
        qCWarning(lcUi) << "the demo could not be started";
    Q_EMIT demoRequested(started);
}

} // namespace gw
