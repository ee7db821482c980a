#pragma once

#include <QWidget>

#include <memory>

class QCheckBox;

namespace gw {

//! The intents of one account as grouped checkboxes (docs/protocol.md, table in
//! core/gateway/intents.h). The three privileged intents are marked "(privileged)", carry a
//! tooltip saying what they need, and a note under the groups explains 4014. Unknown bits of the
//! value are kept as they are (never shown, never dropped).
class IntentSelector final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IntentSelector)

public:
    explicit IntentSelector(QWidget *parent = nullptr);
    ~IntentSelector() override;

    [[nodiscard]] quint32 value() const;
    void setValue(quint32 intents);

    //! The checkbox of one intent by Discord's name ("GUILD_MEMBERS"); nullptr if unknown.
    //! Object names are "intent_<NAME>".
    [[nodiscard]] QCheckBox *checkBox(const QString &name) const;

Q_SIGNALS:
    void valueChanged(quint32 intents);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
