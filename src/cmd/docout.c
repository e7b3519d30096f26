/* docout.c: which markup, how wide, and whether in colour. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/docout.h"

color_mode parse_color(const char *command, const char *text)
{
    return (color_mode)parse_choice(command, "--color", text,
                                    (const char *const[]){"auto", "always", "never", NULL});
}

output_format stdout_format(output_format piped)
{
    return isatty(STDOUT_FILENO) ? OUTPUT_TEXT : piped;
}

/* $COLUMNS when it is a number, else the terminal's width; 0 when neither is known. */
static int terminal_width(FILE *out)
{
    const char *columns = getenv("COLUMNS");
    char *end;
    long n = columns ? strtol(columns, &end, 10) : 0;
    if (columns && *columns && !*end && n > 0 && n < 10000)
        return (int)n;
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

static int wants_color(FILE *out, color_mode mode)
{
    if (mode != COLOR_AUTO)
        return mode == COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fileno(out)) && !(no_color && *no_color) && term && *term &&
           strcmp(term, "dumb") != 0;
}

int write_doc(FILE *out, const doc *d, output_format format, color_mode color)
{
    const markup *m = format == OUTPUT_HTML       ? &markup_html
                      : format == OUTPUT_MARKDOWN ? &markup_md
                                                  : &markup_term;
    int width = terminal_width(out);
    return doc_render(d, m, out, width ? width : 80, format == OUTPUT_TEXT && wants_color(out, color));
}
