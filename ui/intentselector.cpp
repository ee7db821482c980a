#include "intentselector.h"

#include "intents.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHash>
#include <QLabel>
#include <QVBoxLayout>

namespace gw {

namespace {

enum class Group { Guild, Members, Messages, DirectMessages, AutoModeration };

Group groupOf(const QString &name)
{
    if (name == QLatin1String("GUILD_MEMBERS") || name == QLatin1String("GUILD_PRESENCES"))
        return Group::Members;
    if (name.startsWith(QLatin1String("DIRECT_MESSAGE")))
        return Group::DirectMessages;
    if (name.contains(QLatin1String("MESSAGE")))
        return Group::Messages;
    if (name.startsWith(QLatin1String("AUTO_MODERATION")))
        return Group::AutoModeration;
    return Group::Guild;
}

QString groupTitle(Group g)
{
    switch (g) {
    case Group::Guild:
        return IntentSelector::tr("Servers");
    case Group::Members:
        return IntentSelector::tr("Members and presence");
    case Group::Messages:
        return IntentSelector::tr("Server messages");
    case Group::DirectMessages:
        return IntentSelector::tr("Direct messages");
    case Group::AutoModeration:
        return IntentSelector::tr("Auto moderation");
    }
    return {};
}

QString privilegedExplanation(const QString &name)
{
    if (name == QLatin1String("MESSAGE_CONTENT"))
        return IntentSelector::tr("Privileged: message content, embeds, attachments and components. "
                                  "Switch it on for this bot in the Developer Portal (Bot page) first.");
    if (name == QLatin1String("GUILD_MEMBERS"))
        return IntentSelector::tr("Privileged: member joins, updates and the member list. "
                                  "Switch it on for this bot in the Developer Portal (Bot page) first.");
    return IntentSelector::tr("Privileged: presence updates of every member. "
                              "Switch it on for this bot in the Developer Portal (Bot page) first.");
}

} // namespace

class IntentSelector::Private
{
public:
    QHash<QString, QCheckBox *> boxes;
    QHash<QCheckBox *, quint32> bits;
    quint32 unknownBits = 0;
};

IntentSelector::IntentSelector(QWidget *parent) : QWidget(parent), d(std::make_unique<Private>())
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *grid = new QGridLayout;
    outer->addLayout(grid);

    const Group order[] = {Group::Guild, Group::Members, Group::Messages, Group::DirectMessages,
                           Group::AutoModeration};
    int slot = 0;
    for (const Group g : order) {
        auto *box = new QGroupBox(groupTitle(g), this);
        auto *layout = new QGridLayout(box);
        // A long group (Servers has nine intents) goes in two columns so every group fits in
        // the same few rows.
        int members = 0;
        for (const IntentInfo &info : Intents::table())
            members += groupOf(QLatin1String(info.name)) == g ? 1 : 0;
        const int rowsPerColumn = members > 5 ? (members + 1) / 2 : members;
        int index = 0;
        for (const IntentInfo &info : Intents::table()) {
            const QString name = QLatin1String(info.name);
            if (groupOf(name) != g)
                continue;
            QString label = name;
            if (info.privileged)
                label = tr("%1 (privileged)").arg(name);
            auto *check = new QCheckBox(label, box);
            check->setObjectName(QStringLiteral("intent_") + name);
            if (info.privileged) {
                QFont f = check->font();
                f.setBold(true);
                check->setFont(f);
                check->setToolTip(privilegedExplanation(name));
            } else {
                check->setToolTip(tr("Intent bit %1 (value %2)").arg(info.bit).arg(info.value()));
            }
            layout->addWidget(check, index % rowsPerColumn, index / rowsPerColumn);
            ++index;
            d->boxes.insert(name, check);
            d->bits.insert(check, info.value());
            connect(check, &QCheckBox::toggled, this, [this] { Q_EMIT valueChanged(value()); });
        }
        layout->setRowStretch(rowsPerColumn, 1);
        grid->addWidget(box, slot / 3, slot % 3);
        ++slot;
    }

    auto *note = new QLabel(
        tr("<b>Privileged intents</b> (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) must be "
           "switched on for this bot on the Bot page of the <a href=\"%1\">Developer Portal</a> "
           "(bots in 100 or more servers also need Discord's approval). If one is requested without "
           "that, Discord closes the connection with code 4014 and the account stops as failed.")
            .arg(Intents::developerPortalUrl()),
        this);
    note->setObjectName(QStringLiteral("privilegedNote"));
    note->setWordWrap(true);
    note->setOpenExternalLinks(true);
    outer->addWidget(note);

    setValue(Intents::Guilds);
}

IntentSelector::~IntentSelector() = default;

quint32 IntentSelector::value() const
{
    quint32 v = d->unknownBits;
    for (auto it = d->bits.cbegin(); it != d->bits.cend(); ++it) {
        if (it.key()->isChecked())
            v |= it.value();
    }
    return v;
}

void IntentSelector::setValue(quint32 intents)
{
    d->unknownBits = intents & ~Intents::knownMask();
    for (auto it = d->bits.cbegin(); it != d->bits.cend(); ++it) {
        QSignalBlocker block(it.key());
        it.key()->setChecked(intents & it.value());
    }
    Q_EMIT valueChanged(value());
}

QCheckBox *IntentSelector::checkBox(const QString &name) const
{
    return d->boxes.value(name, nullptr);
}

} // namespace gw
