# One INTERFACE target carries the strictness defines and warnings; every target links it
# (after qBittorrent's qbt_common_cfg; docs/architecture.md).
add_library(gatewatch_options INTERFACE)
target_compile_definitions(gatewatch_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_CONTEXTLESS_CONNECT
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    GATEWATCH_VERSION="${PROJECT_VERSION}")
target_compile_options(gatewatch_options INTERFACE
    -Wall -Wextra -Wpedantic
    -Wold-style-cast -Woverloaded-virtual -Wnon-virtual-dtor
    $<$<BOOL:${GATEWATCH_WERROR}>:-Werror>)
if(GATEWATCH_SANITIZE)
    target_compile_options(gatewatch_options INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(gatewatch_options INTERFACE -fsanitize=address,undefined)
endif()
