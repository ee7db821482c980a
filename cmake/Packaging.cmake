# Install rules for the desktop integration files and the CPack DEB package.
# Included at the end of the top-level CMakeLists.txt. Build the package with
#   cmake --build <dir> && cpack -G DEB --config <dir>/CPackConfig.cmake   (or: cd <dir> && cpack -G DEB)
# docs/packaging.md describes what it contains and how tests/packaging/ validates it.
#
# One application id everywhere: the .desktop file name, the icon name, the AppStream id and
# QGuiApplication::setDesktopFileName().
set(GATEWATCH_APP_ID "io.github.gatewatch.Gatewatch")
set(GATEWATCH_HOMEPAGE "https://github.com/gatewatch/gatewatch")
set(GATEWATCH_MAINTAINER "The Gatewatch developers <gatewatch@users.noreply.github.com>")

include(GNUInstallDirs)

set(_pkg_src ${PROJECT_SOURCE_DIR}/packaging)
set(_pkg_out ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${_pkg_out})

# Directories created by `cmake --install` (and so in the .deb) are 0755 whatever the umask.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# --- .desktop entry ------------------------------------------------------------------------
install(FILES ${_pkg_src}/${GATEWATCH_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)

# --- AppStream metainfo ----------------------------------------------------------------------
# The screenshots are the PNGs in docs/screenshots/ (taken under Xvfb by the UI tests), referred
# to by their address in the repository; AppStream wants https images, fetched by the software
# centre, not files in the package.
file(GLOB _screenshots CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/docs/screenshots
     ${PROJECT_SOURCE_DIR}/docs/screenshots/*.png)
list(SORT _screenshots)
# Preferred order and captions for the screenshots we know; others get a caption from the name.
set(_shot_order main-window.png main.png demo.png details.png add-bot-dialog.png export-dialog.png)
set(_shot_caption_main-window.png "The accounts table with bots in different states")
set(_shot_caption_main.png "The accounts table with bots in different states")
set(_shot_caption_demo.png "The demo mode with five simulated bots")
set(_shot_caption_details.png "Disconnect history, latency and session facts of one bot")
set(_shot_caption_add-bot-dialog.png "Adding a bot: label, token and intents")
set(_shot_caption_export-dialog.png "Exporting the event log")
set(_ordered "")
foreach(_s IN LISTS _shot_order)
    if(_s IN_LIST _screenshots)
        list(APPEND _ordered ${_s})
    endif()
endforeach()
foreach(_s IN LISTS _screenshots)
    if(NOT _s IN_LIST _ordered)
        list(APPEND _ordered ${_s})
    endif()
endforeach()
set(GATEWATCH_METAINFO_SCREENSHOTS "")
set(_first TRUE)
foreach(_s IN LISTS _ordered)
    if(DEFINED _shot_caption_${_s})
        set(_caption "${_shot_caption_${_s}}")
    else()
        get_filename_component(_caption ${_s} NAME_WE)
        string(REGEX REPLACE "[-_]+" " " _caption "${_caption}")
        string(SUBSTRING "${_caption}" 0 1 _c0)
        string(SUBSTRING "${_caption}" 1 -1 _crest)
        string(TOUPPER "${_c0}" _c0)
        set(_caption "${_c0}${_crest}")
    endif()
    if(_first)
        set(_type " type=\"default\"")
        set(_first FALSE)
    else()
        set(_type "")
    endif()
    string(APPEND GATEWATCH_METAINFO_SCREENSHOTS
        "    <screenshot${_type}>\n"
        "      <caption>${_caption}</caption>\n"
        "      <image type=\"source\">${GATEWATCH_HOMEPAGE}/raw/v${PROJECT_VERSION}/docs/screenshots/${_s}</image>\n"
        "    </screenshot>\n")
endforeach()
if(GATEWATCH_METAINFO_SCREENSHOTS)
    set(GATEWATCH_METAINFO_SCREENSHOTS "  <screenshots>\n${GATEWATCH_METAINFO_SCREENSHOTS}  </screenshots>\n")
endif()
configure_file(${_pkg_src}/${GATEWATCH_APP_ID}.metainfo.xml.in
               ${_pkg_out}/${GATEWATCH_APP_ID}.metainfo.xml @ONLY)
install(FILES ${_pkg_out}/${GATEWATCH_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

# --- Icons: the SVG in hicolor/scalable plus PNGs rendered at build time -----------------------
# The application icon drawn by the UI (resources/icons/gatewatch.svg) when it exists; the
# packaging copy otherwise.
if(EXISTS ${PROJECT_SOURCE_DIR}/resources/icons/gatewatch.svg)
    set(_icon_svg ${PROJECT_SOURCE_DIR}/resources/icons/gatewatch.svg)
else()
    set(_icon_svg ${_pkg_src}/icons/${GATEWATCH_APP_ID}.svg)
endif()
install(FILES ${_icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME ${GATEWATCH_APP_ID}.svg)

find_program(GATEWATCH_RSVG_CONVERT rsvg-convert)
if(GATEWATCH_RSVG_CONVERT)
    set(_icon_pngs "")
    foreach(_size 16 22 24 32 48 64 128 256)
        set(_png ${_pkg_out}/icons/${_size}x${_size}/${GATEWATCH_APP_ID}.png)
        add_custom_command(OUTPUT ${_png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${_pkg_out}/icons/${_size}x${_size}
            COMMAND ${GATEWATCH_RSVG_CONVERT} --width=${_size} --height=${_size}
                    --keep-aspect-ratio --output=${_png} ${_icon_svg}
            DEPENDS ${_icon_svg}
            COMMENT "Rendering the ${_size}x${_size} application icon"
            VERBATIM)
        list(APPEND _icon_pngs ${_png})
        install(FILES ${_png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${_size}x${_size}/apps)
    endforeach()
else()
    message(WARNING "rsvg-convert (Debian: librsvg2-bin) not found: the package gets the scalable "
                    "icon only, no PNG sizes. scripts/install-deps.sh installs it.")
endif()

# --- Man pages and Debian docs, compressed with gzip -9n as Debian policy wants ----------------
find_program(GATEWATCH_GZIP gzip REQUIRED)
set(_gz_outputs "")
function(_gatewatch_gzip in out)
    add_custom_command(OUTPUT ${out}
        COMMAND ${GATEWATCH_GZIP} -9nc ${in} > ${out}
        DEPENDS ${in}
        COMMENT "Compressing ${out}"
        VERBATIM)
endfunction()
foreach(_page gatewatch gatewatch-sim)
    _gatewatch_gzip(${_pkg_src}/man/${_page}.1 ${_pkg_out}/${_page}.1.gz)
    list(APPEND _gz_outputs ${_pkg_out}/${_page}.1.gz)
    install(FILES ${_pkg_out}/${_page}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endforeach()
_gatewatch_gzip(${_pkg_src}/debian/changelog ${_pkg_out}/changelog.Debian.gz)
list(APPEND _gz_outputs ${_pkg_out}/changelog.Debian.gz)

add_custom_target(gatewatch_packaging_files ALL DEPENDS ${_gz_outputs} ${_icon_pngs})

set(_docdir ${CMAKE_INSTALL_DATAROOTDIR}/doc/gatewatch)
install(FILES ${_pkg_src}/debian/copyright ${_pkg_out}/changelog.Debian.gz DESTINATION ${_docdir})
install(FILES ${_pkg_src}/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME gatewatch)
foreach(_doc README.md docs/headless.md docs/simulator.md docs/metrics.md docs/security.md docs/user-guide.md)
    if(EXISTS ${PROJECT_SOURCE_DIR}/${_doc})
        install(FILES ${PROJECT_SOURCE_DIR}/${_doc} DESTINATION ${_docdir})
    endif()
endforeach()
# the user guide's pictures (Help → User guide opens the installed guide)
file(GLOB _guide_pictures ${PROJECT_SOURCE_DIR}/docs/screenshots/*.png)
install(FILES ${_guide_pictures} DESTINATION ${_docdir}/screenshots)

# --- systemd user unit and the Prometheus / Grafana examples (packaging/{systemd,prometheus,grafana},
# written with the headless mode; only what exists is installed) -------------------------------
if(EXISTS ${_pkg_src}/systemd/gatewatch-headless.service)
    install(FILES ${_pkg_src}/systemd/gatewatch-headless.service
            DESTINATION lib/systemd/user)
endif()
foreach(_dir prometheus grafana)
    file(GLOB _examples CONFIGURE_DEPENDS
         ${_pkg_src}/${_dir}/*.yml ${_pkg_src}/${_dir}/*.yaml ${_pkg_src}/${_dir}/*.json
         ${_pkg_src}/${_dir}/*.rules ${_pkg_src}/${_dir}/*.md ${_pkg_src}/${_dir}/*.conf
         ${_pkg_src}/${_dir}/*.example)
    if(_examples)
        install(FILES ${_examples} DESTINATION ${_docdir}/examples/${_dir})
    endif()
endforeach()

# --- CPack: Debian package ---------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gatewatch)
set(CPACK_PACKAGE_VENDOR "The Gatewatch developers")
set(CPACK_PACKAGE_CONTACT "${GATEWATCH_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL ${GATEWATCH_HOMEPAGE})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "monitor for Discord bot gateway connections")
set(CPACK_PACKAGE_DESCRIPTION [=[
Gatewatch connects to the Discord Gateway with the token of each configured
bot, keeps the session alive with heartbeats and shows whether each bot is
connected, how fast its heartbeats are acknowledged, and why and how often it
was disconnected. It resumes after reconnect requests and dropped
connections, detects zombie connections, explains close codes and keeps a
searchable, exportable event log. Tokens are kept in the desktop keychain.

The package contains the desktop application, a headless mode for servers
(JSON Lines on standard output, Prometheus metrics, a systemd user unit) and
gatewatch-sim, a Discord gateway simulator for trying it out.]=])
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GATEWATCH_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${GATEWATCH_HOMEPAGE})
# Library dependencies come from dpkg-shlibdeps. Qt loads the SQLite driver of the event log as
# a plugin, which shlibdeps cannot see: that one is listed by hand. libzstd1 (zstd-stream transport
# compression) is named too, so the dependency holds even where shlibdeps is switched off.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libzstd1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
