#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace gw {

struct DuplicateKey
{
    QString key;          //!< decoded (escapes resolved), as QJsonDocument would see it
    qsizetype offset = 0; //!< byte offset of the second occurrence
};

//! The first key that appears twice in one object of `json`, which must already be valid JSON
//! (QJsonDocument accepted it; it keeps the last of two equal keys without a word).
std::optional<DuplicateKey> firstDuplicateKey(const QByteArray &json);

} // namespace gw
