#include "accountstore.h"

#include "logging.h"
#include "redactor.h"
#include "textsafety.h"

#include <QUuid>

namespace gw {

namespace {

const QString GroupKey = QStringLiteral("accounts");
const QString OrderKey = QStringLiteral("order");

QString shardModeName(AccountRecord::ShardMode mode)
{
    switch (mode) {
    case AccountRecord::ShardMode::RecommendedFirst:
        return QStringLiteral("recommended_first");
    case AccountRecord::ShardMode::AllShards:
        return QStringLiteral("all");
    }
    return QStringLiteral("recommended_first");
}

AccountRecord::ShardMode shardModeFromName(const QString &name)
{
    return name == QLatin1String("all") ? AccountRecord::ShardMode::AllShards
                                        : AccountRecord::ShardMode::RecommendedFirst;
}

//! The `compress` key: the text compressionName() writes, or the bool that older versions wrote
//! (true → zlib-stream, false → none; an INI file reads a bool back as "true" / "false").
//! Absent or unreadable: the default, zlib-stream.
Compression compressionFromSettings(const QVariant &value)
{
    if (!value.isValid())
        return Compression::ZlibStream;
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? Compression::ZlibStream : Compression::None;
    const QString text = value.toString().trimmed();
    if (text == QLatin1String("true"))
        return Compression::ZlibStream;
    if (text == QLatin1String("false"))
        return Compression::None;
    if (const auto parsed = compressionFromName(text))
        return *parsed;
    qCWarning(lcAccounts) << "account store: unknown compress value" << escapeControls(text.left(64)) << "- using zlib-stream";
    return Compression::ZlibStream;
}

} // namespace

class AccountStore::Private
{
public:
    std::unique_ptr<QSettings> settings;
    QList<AccountRecord> records;

    void load()
    {
        records.clear();
        settings->sync();
        settings->beginGroup(GroupKey);
        const QStringList order = settings->value(OrderKey).toStringList();
        for (const QString &id : order) {
            if (!settings->childGroups().contains(id))
                continue;
            settings->beginGroup(id);
            AccountRecord r;
            r.id = id;
            r.name = settings->value(QStringLiteral("name")).toString();
            r.intents = settings->value(QStringLiteral("intents"), 1u).toUInt();
            r.gatewayUrlOverride = QUrl(settings->value(QStringLiteral("gatewayUrl")).toString());
            r.apiBaseOverride = QUrl(settings->value(QStringLiteral("apiBase")).toString());
            r.shardMode = shardModeFromName(settings->value(QStringLiteral("shardMode")).toString());
            r.compression = compressionFromSettings(settings->value(QStringLiteral("compress")));
            r.paused = settings->value(QStringLiteral("paused"), false).toBool();
            r.muted = settings->value(QStringLiteral("muted"), false).toBool();
            r.createdAt = QDateTime::fromString(settings->value(QStringLiteral("createdAt")).toString(),
                                                Qt::ISODateWithMs);
            settings->endGroup();
            if (r.isValid())
                records.append(r);
            else
                qCWarning(lcAccounts) << "account store: skipping invalid record" << id;
        }
        settings->endGroup();
    }

    bool save(const AccountRecord *changed, const QString &removedId)
    {
        settings->beginGroup(GroupKey);
        QStringList order;
        for (const AccountRecord &r : std::as_const(records))
            order.append(r.id);
        settings->setValue(OrderKey, order);
        if (!removedId.isEmpty())
            settings->remove(removedId);
        if (changed) {
            settings->remove(changed->id);
            settings->beginGroup(changed->id);
            settings->setValue(QStringLiteral("name"), changed->name);
            settings->setValue(QStringLiteral("intents"), changed->intents);
            settings->setValue(QStringLiteral("gatewayUrl"), changed->gatewayUrlOverride.toString());
            settings->setValue(QStringLiteral("apiBase"), changed->apiBaseOverride.toString());
            settings->setValue(QStringLiteral("shardMode"), shardModeName(changed->shardMode));
            settings->setValue(QStringLiteral("compress"), compressionName(changed->compression));
            settings->setValue(QStringLiteral("paused"), changed->paused);
            settings->setValue(QStringLiteral("muted"), changed->muted);
            settings->setValue(QStringLiteral("createdAt"),
                               changed->createdAt.toUTC().toString(Qt::ISODateWithMs));
            settings->endGroup();
        }
        settings->endGroup();
        settings->sync();
        return settings->status() == QSettings::NoError;
    }

    int indexOf(const QString &id) const
    {
        for (int i = 0; i < records.size(); ++i) {
            if (records.at(i).id == id)
                return i;
        }
        return -1;
    }

    std::optional<AccountStoreError> validate(const AccountRecord &r) const
    {
        if (r.name.trimmed().isEmpty())
            return AccountStoreError{AccountStoreError::Kind::InvalidRecord,
                                     AccountStore::tr("The account needs a display name.")};
        const Redactor &redactor = Redactor::global();
        if (redactor.containsSecret(r.name) || Redactor::looksLikeToken(r.name))
            return AccountStoreError{AccountStoreError::Kind::InvalidRecord,
                                     AccountStore::tr("The display name looks like a bot token. "
                                                      "Tokens are never stored in the settings; "
                                                      "choose another name.")};
        for (const QUrl &u : {r.gatewayUrlOverride, r.apiBaseOverride}) {
            const QString s = u.toString();
            if (redactor.containsSecret(s) || Redactor::looksLikeToken(s))
                return AccountStoreError{AccountStoreError::Kind::InvalidRecord,
                                         AccountStore::tr("An override URL contains something "
                                                          "that looks like a bot token.")};
        }
        for (const AccountRecord &other : records) {
            if (other.id != r.id && other.name.trimmed().compare(r.name.trimmed(), Qt::CaseInsensitive) == 0)
                return AccountStoreError{AccountStoreError::Kind::DuplicateName,
                                         AccountStore::tr("An account named “%1” already exists.")
                                             .arg(r.name.trimmed())};
        }
        return std::nullopt;
    }
};

AccountStore::AccountStore(QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->settings = std::make_unique<QSettings>();
    d->load();
}

AccountStore::AccountStore(const QString &fileName, QSettings::Format format, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->settings = std::make_unique<QSettings>(fileName, format);
    d->load();
}

AccountStore::~AccountStore() = default;

QString AccountStore::fileName() const
{
    return d->settings->fileName();
}

QList<AccountRecord> AccountStore::accounts() const
{
    return d->records;
}

int AccountStore::count() const
{
    return int(d->records.size());
}

std::optional<AccountRecord> AccountStore::find(const QString &id) const
{
    const int i = d->indexOf(id);
    if (i < 0)
        return std::nullopt;
    return d->records.at(i);
}

std::optional<AccountRecord> AccountStore::findByName(const QString &name) const
{
    for (const AccountRecord &r : std::as_const(d->records)) {
        if (r.name.compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return r;
    }
    return std::nullopt;
}

std::optional<AccountStoreError> AccountStore::check(const AccountRecord &record) const
{
    AccountRecord r = record;
    r.name = r.name.trimmed();
    return d->validate(r);
}

Expected<AccountRecord, AccountStoreError> AccountStore::add(AccountRecord record)
{
    if (record.id.isEmpty())
        record.id = newId();
    record.name = record.name.trimmed();
    if (!record.createdAt.isValid())
        record.createdAt = QDateTime::currentDateTimeUtc();
    if (d->indexOf(record.id) >= 0)
        return AccountStoreError{AccountStoreError::Kind::DuplicateId,
                                 tr("An account with this id already exists.")};
    if (auto error = d->validate(record))
        return *error;
    d->records.append(record);
    if (!d->save(&record, {})) {
        d->records.removeLast();
        return AccountStoreError{AccountStoreError::Kind::WriteFailed,
                                 tr("The settings file %1 could not be written.").arg(fileName())};
    }
    qCInfo(lcAccounts) << "account store: added" << record.id;
    Q_EMIT accountAdded(record);
    return record;
}

Expected<AccountRecord, AccountStoreError> AccountStore::update(AccountRecord record)
{
    const int i = d->indexOf(record.id);
    if (i < 0)
        return AccountStoreError{AccountStoreError::Kind::NotFound, tr("There is no such account.")};
    record.name = record.name.trimmed();
    record.createdAt = d->records.at(i).createdAt;
    if (auto error = d->validate(record))
        return *error;
    const AccountRecord previous = d->records.at(i);
    d->records[i] = record;
    if (!d->save(&record, {})) {
        d->records[i] = previous;
        return AccountStoreError{AccountStoreError::Kind::WriteFailed,
                                 tr("The settings file %1 could not be written.").arg(fileName())};
    }
    qCInfo(lcAccounts) << "account store: updated" << record.id;
    Q_EMIT accountUpdated(record);
    return record;
}

std::optional<AccountStoreError> AccountStore::remove(const QString &id)
{
    const int i = d->indexOf(id);
    if (i < 0)
        return AccountStoreError{AccountStoreError::Kind::NotFound, tr("There is no such account.")};
    d->records.removeAt(i);
    if (!d->save(nullptr, id))
        qCWarning(lcAccounts) << "account store: removing" << id << "could not be written";
    qCInfo(lcAccounts) << "account store: removed" << id;
    Q_EMIT accountRemoved(id);
    return std::nullopt;
}

std::optional<AccountStoreError> AccountStore::setPaused(const QString &id, bool paused)
{
    auto r = find(id);
    if (!r)
        return AccountStoreError{AccountStoreError::Kind::NotFound, tr("There is no such account.")};
    if (r->paused == paused)
        return std::nullopt;
    r->paused = paused;
    auto result = update(*r);
    if (!result)
        return result.error();
    return std::nullopt;
}

void AccountStore::reload()
{
    d->load();
}

QString AccountStore::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace gw
