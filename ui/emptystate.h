#pragma once

#include <QStackedWidget>

class QAbstractItemModel;
class QAction;
class QPushButton;

namespace gw {

//! The accounts area: while the account model has no row (a first launch) it shows what to do —
//! "Add your first bot…" (the Add bot action) and "Try the demo" (Gatewatch with --demo, in a
//! process of its own: the demo never touches the user's accounts) — instead of an empty table,
//! and hides the widgets that only make sense with an account (the details pane). With a row,
//! it shows the table.
class AccountsArea final : public QStackedWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountsArea)

public:
    //! `table` is shown once `model` has rows; `addBot` is triggered by the first button.
    AccountsArea(QWidget *table, QAbstractItemModel *model, QAction *addBot, QWidget *parent);
    ~AccountsArea() override;

    //! Hidden while there is no account (shown again with the first one).
    void hideWhileEmpty(QWidget *widget);
    [[nodiscard]] bool isShowingHint() const;
    [[nodiscard]] QPushButton *demoButton() const;

Q_SIGNALS:
    //! The user chose the demo (after the demo process was started, or failed to start).
    void demoRequested(bool started);

private:
    void update();
    void startDemo();

    QAbstractItemModel *m_model;
    QWidget *m_hint;
    QWidget *m_table;
    QPushButton *m_demo = nullptr;
    QList<QWidget *> m_dependents;
};

} // namespace gw
