// Screenshot driver (not a test): builds the main window against the real core and an embedded
// GatewaySimulator with accounts in different states, then captures the X screen with
// ImageMagick's `import -window root` at each scene. Run it under Xvfb through
// scripts/screenshots.sh, which documents the steps.
//
//   screenshot_driver --out DIR [--warmup-ms N]                 the user guide's pictures
//   screenshot_driver --out DIR --fit TAG [--dark] [--font-pt N] does the window fit? *-TAG.png
//
// With --fit the window places itself (nothing is resized by the driver) and the whole screen is
// captured, window-manager frame included: first-launch-TAG.png (the empty state),
// main-TAG.png (a failed account: its reason and "How to fix it"), history-TAG.png (the details
// pane scrolled to its disconnect history), add-bot-TAG.png, export-TAG.png and store-TAG.png (the
// event store refusing every write: the store banner).
//
// Accounts: music-bot (ready; a dropped TCP connection while 180 events were sent, of which the
// gateway replays only its newest 50: 130 lost), moderation (ready; one disconnect of each cause:
// op 7, zombie, a reconnect you asked for, a server close, a dropped connection, op 9 →
// re-identify), logger (degraded: ACKs withheld), stats-collector (reconnecting: HELLO withheld,
// backoff), ticket-helper (failed: 4014, privileged intent not allowed), archive-bot (paused).
// Background dispatches every 1.5 s give every session a little live traffic.

#include "accountmanager.h"
#include "accountstore.h"
#include "accounttablemodel.h"
#include "addbotdialog.h"
#include "detailspane.h"
#include "disconnecthistorymodel.h"
#include "eventlog.h"
#include "monitorapp.h"
#include "exportdialog.h"
#include "gatewaysimulator.h"
#include "mainwindow.h"
#include "memorytokenvault.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QScrollBar>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFont>
#include <QLineEdit>
#include <QPalette>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <sqlite3.h>

#include <cstdio>
#include <functional>

using namespace std::chrono_literals;
using gw::ConnectionState;

namespace {

QString tokenFor(int i)
{
    return QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc%1.GhIjKl.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_%2").arg(i).arg(i, 2, 10, QLatin1Char('0'));
}

bool waitFor(const std::function<bool()> &cond, int ms)
{
    return QTest::qWaitFor(cond, ms);
}

//! `import -window root` (cropped to `area` when given: dialogs have no window-manager frame under Xvfb).
bool capture(const QString &file, const QRect &area = {}, int margin = 12)
{
    QTest::qWait(250);   // let coalesced models flush and the window repaint
    QStringList args = {QStringLiteral("-window"), QStringLiteral("root")};
    if (area.isValid()) {
        const QRect r = area.adjusted(-margin, -margin, margin, margin);
        args << QStringLiteral("-crop") << QStringLiteral("%1x%2+%3+%4").arg(r.width()).arg(r.height()).arg(std::max(0, r.x())).arg(std::max(0, r.y()))
             << QStringLiteral("+repage");
    }
    args << file;
    const int rc = QProcess::execute(QStringLiteral("import"), args);
    std::printf("captured %s (rc %d)\n", qPrintable(file), rc);
    std::fflush(stdout);
    return rc == 0;
}

//! The window filling the 1600×1000 screen (frame included), the accounts table `tableWidth`
//! wide and the details pane scrolled to its top, or to its end when `target` (its last section)
//! is given.
void showDetails(gw::MainWindow &window, const QString &accountId, int tableWidth, QWidget *target = nullptr)
{
    window.resize(1596, 968);
    window.move(0, 0);
    window.selectAccount(accountId);
    window.detailsPane()->refreshHistory();
    QTest::qWait(200);
    if (auto *splitter = window.findChild<QSplitter *>(QStringLiteral("mainSplitter")))
        splitter->setSizes({tableWidth, window.width() - tableWidth});
    QTest::qWait(200);   // let the layouts settle before scrolling
    if (auto *scroll = window.detailsPane()->findChild<QScrollArea *>()) {
        if (target)   // the history is the pane's last section: scrolled to the end it is whole
            scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
        else
            scroll->ensureVisible(0, 0);
    }
    QTest::qWait(100);
}

//! The event log dock showing one account's rows (all accounts for an empty id) of one kind (-1: all).
void filterEventLog(gw::MainWindow &window, const QString &accountId, int kind)
{
    auto *kindFilter = window.findChild<QComboBox *>(QStringLiteral("eventKindFilter"));
    auto *accountFilter = window.findChild<QComboBox *>(QStringLiteral("eventAccountFilter"));
    if (kindFilter && accountFilter) {
        kindFilter->setCurrentIndex(kindFilter->findData(kind));
        accountFilter->setCurrentIndex(accountFilter->findData(accountId));
    }
}

//! An account whose RESUME did not get every missed event back: the details pane's events and
//! the account's rows in the event log (RESUMED: how many were replayed and lost).
bool sceneLostEvents(gw::MainWindow &window, const QString &accountId, const QString &file)
{
    filterEventLog(window, accountId, -1);
    showDetails(window, accountId, 1000);
    const bool ok = capture(file, window.frameGeometry(), 0);
    filterEventLog(window, QString(), -1);
    return ok;
}

//! The disconnect history of an account that went through every kind of close.
bool sceneDisconnectCauses(gw::MainWindow &window, const QString &accountId, const QString &file)
{
    auto *history = window.detailsPane()->findChild<QTableView *>(QStringLiteral("disconnectHistoryView"));
    if (history) {   // every disconnect in view, without scrolling
        history->resizeColumnsToContents();
        history->resizeRowsToContents();
        const int rows = history->model()->rowCount();
        const int rowHeight = rows > 0 ? history->rowHeight(0) : history->verticalHeader()->defaultSectionSize();
        history->setMinimumHeight(history->horizontalHeader()->height() + (rows + 1) * rowHeight + 2 * history->frameWidth());
    }
    // the event log shows the same closes, each in the words of its row's message
    filterEventLog(window, accountId, int(gw::EventKind::Close));
    showDetails(window, accountId, 250, history);
    const bool ok = capture(file, window.frameGeometry(), 0);
    filterEventLog(window, QString(), -1);
    return ok;
}

//! A dark Fusion palette, as a desktop's dark theme gives it.
void useDarkPalette()
{
    QApplication::setStyle(QStringLiteral("Fusion"));
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(230, 230, 230), disabled(128, 128, 128);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, QColor(90, 160, 255));
    p.setColor(QPalette::Highlight, QColor(42, 110, 200));
    p.setColor(QPalette::HighlightedText, Qt::white);
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    QApplication::setPalette(p);
}

//! The event store refuses every write (as on a full disk): the store banner above the accounts.
sqlite3 *s_storeHandle = nullptr;

bool sceneStoreFailing(gw::MainWindow &window, const std::function<bool()> &capturing)
{
    if (!s_storeHandle)
        return false;
    sqlite3_exec(s_storeHandle, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    auto *banner = window.findChild<QWidget *>(QStringLiteral("storeBanner"));
    const bool shown = banner && QTest::qWaitFor([banner] { return banner->isVisible(); }, 20000);
    QTest::qWait(300);
    const bool ok = shown && capturing();
    sqlite3_exec(s_storeHandle, "PRAGMA query_only = 0", nullptr, nullptr, nullptr);
    return ok;
}

//! The --fit scenes: the window as it placed itself, the whole screen captured.
bool fitScenes(gw::MainWindow &window, const QStringList &ids, const QDir &out, const QString &tag)
{
    const auto file = [&](const char *name) { return out.filePath(QStringLiteral("%1-%2.png").arg(QLatin1String(name), tag)); };
    bool ok = true;
    window.selectAccount(ids.at(4));   // failed: the reason and "How to fix it"
    window.refreshFromStore();
    ok &= capture(file("main"));
    window.selectAccount(ids.at(1));
    window.detailsPane()->refreshHistory();
    QTest::qWait(300);
    if (auto *scroll = window.detailsPane()->findChild<QScrollArea *>())
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    ok &= capture(file("history"));
    window.action(gw::MainWindow::Action::AddBot)->trigger();
    if (gw::AddBotDialog *dlg = window.addBotDialog()) {
        QTest::keyClicks(dlg->findChild<QLineEdit *>(QStringLiteral("nameEdit")), QStringLiteral("welcome-bot"));
        QTest::keyClicks(dlg->findChild<QLineEdit *>(QStringLiteral("tokenEdit")), tokenFor(0));
        dlg->checkToken();
        QTest::qWait(1500);
        ok &= capture(file("add-bot"));
        dlg->reject();
    }
    window.action(gw::MainWindow::Action::Export)->trigger();
    if (gw::ExportDialog *dlg = window.exportDialog()) {
        dlg->setTargetFile(QStringLiteral("/home/user/Documents/gatewatch-events-20261129.jsonl"));
        ok &= capture(file("export"));
        dlg->reject();
    }
    ok &= sceneStoreFailing(window, [&] { return capture(file("store")); });
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gatewatch-screenshots"));
    QStandardPaths::setTestModeEnabled(true);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output directory"), QStringLiteral("DIR"), QStringLiteral(".")});
    parser.addOption({QStringLiteral("warmup-ms"), QStringLiteral("Run time before the first capture"), QStringLiteral("MS"),
                      QStringLiteral("25000")});
    parser.addOption({QStringLiteral("fit"), QStringLiteral("Capture the fit scenes, files named *-TAG.png"), QStringLiteral("TAG")});
    parser.addOption({QStringLiteral("dark"), QStringLiteral("Use a dark palette")});
    parser.addOption({QStringLiteral("font-pt"), QStringLiteral("Application font size"), QStringLiteral("PT")});
    parser.process(app);
    const QDir out(parser.value(QStringLiteral("out")));
    const int warmup = parser.value(QStringLiteral("warmup-ms")).toInt();
    const QString fitTag = parser.value(QStringLiteral("fit"));
    if (parser.isSet(QStringLiteral("dark")))
        useDarkPalette();
    if (parser.isSet(QStringLiteral("font-pt"))) {
        QFont font = QApplication::font();
        font.setPointSize(parser.value(QStringLiteral("font-pt")).toInt());
        QApplication::setFont(font);
    }

    QTemporaryDir dir;
    gw::GatewaySimulator::Options so;
    so.heartbeatInterval = 2500ms;
    so.dispatchInterval = 1500ms;
    so.replayBufferLimit = 50;
    gw::GatewaySimulator sim(so);
    const struct { const char *name; const char *user; bool privileged; quint32 intents; } bots[] = {
        {"music-bot", "Melody#4521", true, 1},
        {"moderation", "ModHammer", true, 1 | (1u << 9)},
        {"logger", "AuditLog", true, 1},
        {"stats-collector", "StatsPal", true, 1},
        {"ticket-helper", "Tickets", false, 1 | (1u << 1)},
        {"archive-bot", "Archivist", true, 1},
    };
    for (int i = 0; i < 6; ++i) {
        gw::SimBotPolicy p;
        p.name = QLatin1String(bots[i].name);
        p.userName = QLatin1String(bots[i].user);
        p.userId = QStringLiteral("10000000000000000%1").arg(i);
        p.privilegedIntentsAllowed = bots[i].privileged;
        p.guilds = 3 + i * 7;
        p.sessionStartRemaining = 1000 - 3 * i;
        sim.addBot(tokenFor(i), p);
    }
    if (!sim.start()) {
        std::fprintf(stderr, "simulator: %s\n", qPrintable(sim.errorString()));
        return 1;
    }

    const QString dbPath = qEnvironmentVariableIsSet("GW_SHOT_DB") ? qEnvironmentVariable("GW_SHOT_DB")
                                                                   : dir.filePath(QStringLiteral("events.db"));
    gw::EventLogOptions logOptions;
    logOptions.retryInterval = 500ms;
    logOptions.retryIntervalMax = 2s;
    logOptions.configureConnection = [](sqlite3 *h) { s_storeHandle = h; };
    gw::EventLog log(dbPath, logOptions);
    if (!log.open())
        return 1;
    gw::GatewayTimings timings = gw::GatewayTimings::defaults();
    timings.backoffBase = 3s;
    timings.helloWatch = 2s;
    timings.helloTimeout = 3s;
    timings.restartBackoffBase = 5s;
    gw::MonitorAppOptions appOptions;
    appOptions.timings = timings;
    appOptions.store = std::make_unique<gw::AccountStore>(dir.filePath(QStringLiteral("accounts.ini")),
                                                          QSettings::IniFormat);
    appOptions.eventLog = &log;
    gw::MonitorApp monitorApp(std::move(appOptions));
    monitorApp.recordMonitorStarted(QStringLiteral("gui"));
    gw::AccountManager &manager = *monitorApp.manager();
    gw::AccountStore &store = *monitorApp.store();
    gw::TokenVault &vault = *monitorApp.vault();

    quint16 deadPort = 0;
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        deadPort = probe.serverPort();
    }
    gw::GuiOptions opts;
    opts.app = &monitorApp;
    opts.eventLog = &log;
    opts.settingsPath = dir.filePath(QStringLiteral("ui.ini"));
    opts.defaultApiBase = sim.apiBase().toString();
    gw::MainWindow window(opts);
    if (fitTag.isEmpty())
        window.setGeometry(0, 0, 1400, 900);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    // a first launch: no account yet
    bool ok = capture(fitTag.isEmpty() ? out.filePath(QStringLiteral("first-launch.png"))
                                       : out.filePath(QStringLiteral("first-launch-%1.png").arg(fitTag)),
                      fitTag.isEmpty() ? window.frameGeometry() : QRect(), 0);

    QStringList ids;
    for (int i = 0; i < 6; ++i) {
        gw::AccountRecord r;
        r.name = QLatin1String(bots[i].name);
        r.intents = bots[i].intents;
        r.apiBaseOverride = sim.apiBase();
        if (i == 3)
            r.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(deadPort));
        auto stored = store.add(r);
        if (!stored)
            return 1;
        ids.append(stored->id);
        vault.keepForSession(stored->id, tokenFor(i));
    }

    window.startStoredAccounts();

    auto state = [&](int i) {
        const auto s = manager.status(ids.at(i));
        return s ? s->state : ConnectionState::Stopped;
    };
    auto fault = [&](int i, gw::SimFault::Kind kind, int connections = 1) {
        gw::SimFault f;
        f.kind = kind;
        f.connections = connections;
        f.resumable = false;
        sim.injectFault(QLatin1String(bots[i].name), f);
    };

    waitFor([&] { return state(0) == ConnectionState::Ready && state(1) == ConnectionState::Ready; }, 15000);
    manager.pause(ids.at(5));
    store.setPaused(ids.at(5), true);
    QElapsedTimer scripted;
    scripted.start();
    QTest::qWait(3000);
    // music-bot: dropped, and 180 events sent before it can come back: they wait in the
    // gateway's replay buffer, which keeps only the newest 50; RESUME replays 50, 130 are lost
    fault(0, gw::SimFault::Kind::DropTcp);
    for (int i = 0; i < 180; ++i)
        sim.dispatch(QLatin1String(bots[0].name), QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{\"n\":1}"));
    // moderation: one disconnect of each cause, each recovered before the next
    auto readyAgain = [&](int i) {
        QTest::qWait(300);
        return waitFor([&] { return state(i) == ConnectionState::Ready; }, 15000);
    };
    fault(1, gw::SimFault::Kind::Reconnect);                        // op 7
    readyAgain(1);
    fault(1, gw::SimFault::Kind::StopAcks);                         // zombie
    QTest::qWait(500);
    waitFor([&] { return state(1) != ConnectionState::Ready && state(1) != ConnectionState::Degraded; }, 15000);
    readyAgain(1);
    window.selectAccount(ids.at(1));
    window.action(gw::MainWindow::Action::ForceResume)->trigger();  // you asked for a reconnect
    readyAgain(1);
    {
        gw::SimFault close;                                         // a server close (4000)
        close.kind = gw::SimFault::Kind::Close;
        close.closeCode = 4000;
        sim.injectFault(QLatin1String(bots[1].name), close);
    }
    readyAgain(1);
    fault(1, gw::SimFault::Kind::DropTcp);                          // connection dropped
    readyAgain(1);
    fault(1, gw::SimFault::Kind::InvalidSession);                   // op 9 → new session
    readyAgain(1);
    QTest::qWait(std::max<int>(0, warmup - int(scripted.elapsed())));

    auto sceneMain = [&](const QString &name, int select) {
        window.selectAccount(ids.at(select));
        window.refreshFromStore();
        waitFor([&] { return state(3) == ConnectionState::Reconnecting; }, 20000);
        fault(2, gw::SimFault::Kind::StopAcks);   // logger: ACK overdue → degraded until the zombie check
        waitFor([&] { return state(2) == ConnectionState::Degraded; }, 8000);
        return capture(out.filePath(name), window.frameGeometry(), 0);
    };

    window.detailsPane()->setRange(gw::DetailsPane::Range::Hour);
    if (!fitTag.isEmpty()) {
        waitFor([&] { return state(4) == ConnectionState::Failed; }, 20000);
        ok &= fitScenes(window, ids, out, fitTag);
        monitorApp.recordMonitorStopped(QStringLiteral("quit"));
        return ok ? 0 : 1;
    }
    ok &= sceneMain(QStringLiteral("main-window.png"), 1);
    window.selectAccount(ids.at(4));
    ok &= capture(out.filePath(QStringLiteral("details-failed.png")), window.frameGeometry(), 0);
    ok &= sceneLostEvents(window, ids.at(0), out.filePath(QStringLiteral("lost-events.png")));
    ok &= sceneDisconnectCauses(window, ids.at(1), out.filePath(QStringLiteral("disconnect-causes.png")));

    // add-bot dialog, filled in and checked against the simulator
    window.action(gw::MainWindow::Action::AddBot)->trigger();
    if (gw::AddBotDialog *dlg = window.addBotDialog()) {
        QTest::keyClicks(dlg->findChild<QLineEdit *>(QStringLiteral("nameEdit")), QStringLiteral("welcome-bot"));
        QTest::keyClicks(dlg->findChild<QLineEdit *>(QStringLiteral("tokenEdit")), tokenFor(0));
        dlg->checkToken();
        QTest::qWait(1500);
        // the window manager's title bar is above Qt's frame geometry
        ok &= capture(out.filePath(QStringLiteral("add-bot-dialog.png")), dlg->frameGeometry().adjusted(0, -24, 0, 0));
        dlg->reject();
    }

    // export dialog
    window.action(gw::MainWindow::Action::Export)->trigger();
    if (gw::ExportDialog *dlg = window.exportDialog()) {
        dlg->setRangePreset(gw::ExportDialog::RangePreset::LastDay);
        dlg->setTargetFile(QStringLiteral("/home/user/Documents/gatewatch-events-20261129.csv"));
        dlg->setFormat(gw::ExportOptions::Format::Csv);
        ok &= capture(out.filePath(QStringLiteral("export-dialog.png")), dlg->frameGeometry().adjusted(0, -24, 0, 0));
        dlg->reject();
    }
    ok &= sceneStoreFailing(window, [&] {
        return capture(out.filePath(QStringLiteral("store-banner.png")), window.frameGeometry(), 0);
    });
    monitorApp.recordMonitorStopped(QStringLiteral("quit"));
    return ok ? 0 : 1;
}
