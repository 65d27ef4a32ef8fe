# Writes OUTPUT, a C file defining `const char VARIABLE[]` with INPUT's text
# (the boot library is compiled into the binary so petrel needs no files).
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "/* generated from ${INPUT}; do not edit */\nconst char ${VARIABLE}[] = {${bytes} 0x00};\n")
