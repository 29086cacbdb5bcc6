# Text prompts and the refinement loop (issue 6), included from src/look/CMakeLists.txt.
# The vocabulary is data (data/vocabulary/*.json); it is embedded into the library at build
# time so the binary works from any folder. Editing a JSON file re-runs the configure step.
file(GLOB AG_VOCAB_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocabulary/*.json)
list(SORT AG_VOCAB_FILES)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${AG_VOCAB_FILES})
set(AG_VOCAB_ENTRIES "")
foreach(f ${AG_VOCAB_FILES})
  file(READ ${f} content)
  get_filename_component(name ${f} NAME)
  # A raw string literal holds the JSON verbatim; the delimiter never occurs in JSON text.
  string(APPEND AG_VOCAB_ENTRIES "    {\"${name}\", R\"agvocab(${content})agvocab\"},\n")
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/prompt_vocabulary_data.cpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/prompt_vocabulary_data.cpp @ONLY)

target_sources(ag_look PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/prompt_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt_wordnet.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt_vocabulary.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt_compose.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt_parse.cpp
  ${CMAKE_CURRENT_LIST_DIR}/prompt_explain.cpp
  ${CMAKE_CURRENT_LIST_DIR}/refine.cpp
  ${CMAKE_CURRENT_BINARY_DIR}/prompt_vocabulary_data.cpp)
# Debian's wordnet-dev: /usr/include/wn.h and /usr/lib/libwordnet.{a,so}; the database comes
# from wordnet-base in /usr/share/wordnet (the library's compiled-in default path).
find_path(WORDNET_INCLUDE_DIR wn.h REQUIRED)
find_library(WORDNET_LIBRARY NAMES wordnet REQUIRED)
target_include_directories(ag_look SYSTEM PRIVATE ${WORDNET_INCLUDE_DIR})
target_include_directories(ag_look PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(ag_look PRIVATE ${WORDNET_LIBRARY})
