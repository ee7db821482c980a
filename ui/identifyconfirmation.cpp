#include "identifyconfirmation.h"

#include "mainwindow.h"

#include <QMessageBox>
#include <QPushButton>

namespace gw {

QMessageBox *confirmFreshIdentify(QWidget *parent, const std::optional<AccountStatus> &status,
                                  std::function<void()> confirmed)
{
    QString budget;
    if (status && status->gatewayInfo)
        budget = MainWindow::tr(" %1 of %2 are left today.")
                     .arg(status->gatewayInfo->limit.remaining)
                     .arg(status->gatewayInfo->limit.total);
    auto *box = new QMessageBox(QMessageBox::Warning, MainWindow::tr("Reconnect with a fresh IDENTIFY?"),
                                MainWindow::tr("A fresh IDENTIFY starts a new session: events sent while reconnecting are lost, "
                                               "and it spends one IDENTIFY of the bot's daily budget.%1\n\n"
                                               "Force reconnect (F5) resumes the session instead and spends nothing.")
                                    .arg(budget),
                                QMessageBox::Cancel, parent);
    box->setObjectName(QStringLiteral("confirmIdentifyBox"));
    QPushButton *go = box->addButton(MainWindow::tr("Spend an IDENTIFY"), QMessageBox::AcceptRole);
    go->setObjectName(QStringLiteral("confirmIdentifyButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    QObject::connect(box, &QMessageBox::buttonClicked, box, [go, confirmed = std::move(confirmed)](QAbstractButton *clicked) {
        if (clicked == go)
            confirmed();
    });
    box->open();
    return box;
}

} // namespace gw
