/* Test helper: `img_check png FILE` decodes a PNG with stb_image and prints "W H CHANNELS";
 * `img_check svg FILE` parses an SVG with expat and prints the root element's name, then the
 * text of every <text> element, one per line. Exit 1 (with the decoder's reason) if the file
 * does not decode. Independent decoders, so the test does not trust attnscope's own writers. */
#include <expat.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct svg_state {
    int depth, in_text;
} svg_state;

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    svg_state *s = ud;
    if (s->depth++ == 0)
        printf("root %s\n", name);
    if (strcmp(name, "text") == 0) {
        s->in_text = 1;
        fputs("text ", stdout);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    svg_state *s = ud;
    s->depth--;
    if (strcmp(name, "text") == 0) {
        s->in_text = 0;
        putchar('\n');
    }
}

static void XMLCALL on_chars(void *ud, const XML_Char *c, int n)
{
    if (((svg_state *)ud)->in_text)
        fwrite(c, 1, (size_t)n, stdout);
}

static int check_svg(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    XML_Parser p = XML_ParserCreate("UTF-8");
    svg_state s = {0};
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_chars);
    char buf[65536];
    size_t n;
    int ok = 1;
    do {
        n = fread(buf, 1, sizeof buf, f);
        if (XML_Parse(p, buf, (int)n, n == 0) != XML_STATUS_OK) {
            fprintf(stderr, "%s: line %lu: %s\n", path, (unsigned long)XML_GetCurrentLineNumber(p),
                    XML_ErrorString(XML_GetErrorCode(p)));
            ok = 0;
        }
    } while (ok && n > 0);
    XML_ParserFree(p);
    fclose(f);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "png") != 0 && strcmp(argv[1], "svg") != 0)) {
        fprintf(stderr, "usage: img_check png|svg FILE\n");
        return 2;
    }
    if (strcmp(argv[1], "svg") == 0)
        return check_svg(argv[2]);
    int w, h, c;
    unsigned char *px = stbi_load(argv[2], &w, &h, &c, 0);
    if (!px) {
        fprintf(stderr, "%s: %s\n", argv[2], stbi_failure_reason());
        return 1;
    }
    printf("%d %d %d\n", w, h, c);
    stbi_image_free(px);
    return 0;
}
