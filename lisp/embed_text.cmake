# Writes OUTPUT, a C file defining `const char VARIABLE[]` with the text of
# INPUTS (a ;-list, concatenated in order): the Lisp library is compiled into
# the binary so petrel needs no files at run time.
set(hex "")
foreach(input IN LISTS INPUTS)
  file(READ "${input}" part HEX)
  string(APPEND hex "${part}0a")
endforeach()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "/* generated from the Lisp library sources; do not edit */\nconst char ${VARIABLE}[] = {${bytes} 0x00};\n")
