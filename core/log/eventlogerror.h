#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace gw {

//! An error of the event store, its queries or an export, as a value (errors are values, never exceptions).
struct EventLogError
{
    Q_GADGET
public:
    enum class Code {
        OpenFailed,       //!< the database file could not be opened or configured
        SchemaTooNew,     //!< written by a newer Gatewatch; refused rather than damaged
        MigrationFailed,  //!< a schema step failed; the file is left at its previous version
        WriteFailed,      //!< a batch could not be committed (disk full, I/O error)
        QueryFailed,      //!< a read failed
        NotOpen,          //!< called before a successful open()
        Cancelled,        //!< an export was cancelled by the caller
        OutputFailed,     //!< the export device refused to write
    };
    Q_ENUM(Code)

    Code code = Code::QueryFailed;
    QString message;      //!< for people and logs; never contains a token
};

} // namespace gw

Q_DECLARE_METATYPE(gw::EventLogError)
