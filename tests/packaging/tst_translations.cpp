// The translation catalogue is wired (cmake/Translations.cmake): lrelease compiles
// translations/gatewatch_en.ts into a .qm that is embedded in gatewatch_ui under :/i18n, a
// QTranslator loads it for an English locale, and it holds exactly what the committed .ts says.
#include <QCoreApplication>
#include <QFile>
#include <QLocale>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

struct TsMessage
{
    QString context;
    QString source;
    QString comment;                 //!< disambiguation
    bool numerus = false;
    bool finished = false;
    QStringList forms;               //!< one entry, or the numerus forms
};

//! Reads every <message> of a Qt Linguist .ts file.
QList<TsMessage> readTs(const QString &path, QString *error)
{
    QList<TsMessage> messages;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return messages;
    }
    QXmlStreamReader xml(&file);
    QString context;
    TsMessage current;
    bool inMessage = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("name") && !inMessage) {
                context = xml.readElementText();
            } else if (name == QLatin1String("message")) {
                inMessage = true;
                current = TsMessage{};
                current.context = context;
                current.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (inMessage && name == QLatin1String("source")) {
                current.source = xml.readElementText();
            } else if (inMessage && name == QLatin1String("comment")) {
                current.comment = xml.readElementText();
            } else if (inMessage && name == QLatin1String("translation")) {
                const QString type = xml.attributes().value(QLatin1String("type")).toString();
                current.finished = type.isEmpty();
                if (!current.numerus)
                    current.forms.append(xml.readElementText());
            } else if (inMessage && name == QLatin1String("numerusform")) {
                current.forms.append(xml.readElementText());
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            inMessage = false;
            messages.append(current);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return messages;
}

} // namespace

class tst_Translations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void embeddedCatalogueLoads();
    void everyFinishedTranslationIsInTheQm();
    void everyPluralMessageHasEnglishForms();
};

void tst_Translations::embeddedCatalogueLoads()
{
    QVERIFY2(QFile::exists(QStringLiteral(":/i18n/gatewatch_en.qm")),
             "gatewatch_en.qm is not embedded under :/i18n (qt_add_translations in cmake/Translations.cmake)");
    QTranslator translator;
    QVERIFY(translator.load(QLocale(QLocale::English, QLocale::UnitedStates), QStringLiteral("gatewatch"),
                            QStringLiteral("_"), QStringLiteral(":/i18n")));
    QCOMPARE(translator.language(), QStringLiteral("en"));
}

void tst_Translations::everyFinishedTranslationIsInTheQm()
{
    QString error;
    const QList<TsMessage> messages = readTs(QStringLiteral(GATEWATCH_TS_FILE), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!messages.isEmpty(), "the English catalogue has no messages: run the gatewatch_ui_lupdate target");

    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/gatewatch_en.qm")));
    int checked = 0;
    for (const TsMessage &m : messages) {
        if (!m.finished)
            continue;
        const QByteArray context = m.context.toUtf8();
        const QByteArray source = m.source.toUtf8();
        const QByteArray comment = m.comment.toUtf8();
        if (m.numerus) {
            // English: form 0 for n == 1, form 1 otherwise.
            QCOMPARE(translator.translate(context.constData(), source.constData(),
                                          comment.isEmpty() ? nullptr : comment.constData(), 1),
                     m.forms.value(0));
            QCOMPARE(translator.translate(context.constData(), source.constData(),
                                          comment.isEmpty() ? nullptr : comment.constData(), 2),
                     m.forms.value(1));
        } else {
            QCOMPARE(translator.translate(context.constData(), source.constData(),
                                          comment.isEmpty() ? nullptr : comment.constData()),
                     m.forms.value(0));
        }
        ++checked;
    }
    qInfo("%d finished translations checked against the embedded .qm", checked);
}

void tst_Translations::everyPluralMessageHasEnglishForms()
{
    // A tr("%n account(s)", nullptr, n) shows "1 account(s)" unless the English catalogue gives
    // the singular and plural forms: fill them in with Qt Linguist after running lupdate.
    QString error;
    const QList<TsMessage> messages = readTs(QStringLiteral(GATEWATCH_TS_FILE), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    for (const TsMessage &m : messages) {
        if (!m.numerus)
            continue;
        const QString where = m.context + QLatin1String(": \"") + m.source + QLatin1Char('"');
        QVERIFY2(m.finished, qPrintable(where + QLatin1String(" has no finished English plural forms in "
                                                              "translations/gatewatch_en.ts")));
        QVERIFY2(m.forms.size() == 2 && !m.forms.at(0).isEmpty() && !m.forms.at(1).isEmpty(),
                 qPrintable(where + QLatin1String(" needs a singular and a plural form")));
        QVERIFY2(!m.forms.at(0).contains(QLatin1String("(s)")) && !m.forms.at(1).contains(QLatin1String("(s)")),
                 qPrintable(where + QLatin1String(": the English forms still say \"(s)\"")));
    }
}

QTEST_GUILESS_MAIN(tst_Translations)
#include "tst_translations.moc"
