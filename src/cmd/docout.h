/* docout.h: writing a document in the format a command was asked for, fitted to the terminal. */
#ifndef HEAPAN_DOCOUT_H
#define HEAPAN_DOCOUT_H

#include <stdio.h>

#include "cmd/cliopt.h"
#include "render/doc.h"

typedef enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_mode;

/* --color's argument: auto, always or never; else a usage error of `command`. */
color_mode parse_color(const char *command, const char *text);

/*
 * The format for standard output when none was asked for: the terminal
 * markup on a terminal, else `piped`.
 */
output_format stdout_format(output_format piped);

/*
 * Writes `d` to `out` as `format` (text, md or html).  Text is fitted to
 * $COLUMNS, else the terminal's width, else 80; it has colour under
 * COLOR_ALWAYS, or under COLOR_AUTO when `out` is a terminal, NO_COLOR is
 * unset and TERM is set and not "dumb".  Returns 0, or -1 when out of memory.
 */
int write_doc(FILE *out, const doc *d, output_format format, color_mode color);

#endif
