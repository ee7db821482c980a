# Translations (docs/packaging.md). Included from the top-level CMakeLists.txt after
# add_subdirectory(ui) so that ui/CMakeLists.txt stays untouched.
#
# qt_add_translations() is a Technical Preview in Qt 6.4: the .ts files must be listed
# (TS_FILES), and it creates the targets
#   gatewatch_ui_lupdate   - runs lupdate over SOURCES and updates translations/*.ts in the
#                            source tree (run it by hand, then commit the .ts files);
#   gatewatch_ui_lrelease  - compiles every .ts into a .qm; a dependency of gatewatch_ui, so
#                            every build runs it;
#   update_translations / release_translations - the global aggregates.
# The .qm files are embedded into gatewatch_ui under the resource prefix /i18n, e.g.
# ":/i18n/gatewatch_en.qm"; load them with
#   QTranslator::load(QLocale(), "gatewatch"_L1, "_"_L1, ":/i18n"_L1).
find_package(Qt6 ${Qt6_VERSION} REQUIRED COMPONENTS LinguistTools)

# The English source catalogue first; a new language is one more line here plus
# `cmake --build <dir> --target gatewatch_ui_lupdate` to create its .ts.
set(GATEWATCH_TS_FILES
    ${PROJECT_SOURCE_DIR}/translations/gatewatch_en.ts
)

# Every user-visible string lives in ui/, app/ or core/ (tr() / QCoreApplication::translate).
# The 6.4 lupdate project resolves relative paths against this file's directory, so pass
# absolute paths; CONFIGURE_DEPENDS picks up new files on the next build.
file(GLOB_RECURSE GATEWATCH_TR_SOURCES CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/ui/*.cpp ${PROJECT_SOURCE_DIR}/ui/*.h ${PROJECT_SOURCE_DIR}/ui/*.ui
    ${PROJECT_SOURCE_DIR}/app/*.cpp ${PROJECT_SOURCE_DIR}/app/*.h
    ${PROJECT_SOURCE_DIR}/core/*.cpp ${PROJECT_SOURCE_DIR}/core/*.h)

qt_add_translations(gatewatch_ui
    TS_FILES ${GATEWATCH_TS_FILES}
    SOURCES ${GATEWATCH_TR_SOURCES}
    INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}/ui ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/app
    LUPDATE_OPTIONS -locations none -no-obsolete -source-language en
    LRELEASE_OPTIONS -silent
    RESOURCE_PREFIX /i18n)
