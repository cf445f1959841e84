# oo_embed(OUT_C SYMBOL INPUT): turns a text file (the page helper JS, ...) into a C source
# defining `const char SYMBOL[]` and `const size_t SYMBOL_len`, regenerated when INPUT changes.
function(oo_embed out_c symbol input)
  add_custom_command(
    OUTPUT ${out_c}
    COMMAND ${CMAKE_COMMAND} -DIN=${input} -DOUT=${out_c} -DSYM=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${input}")
endfunction()
