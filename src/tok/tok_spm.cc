// tok_spm: C wrapper around sentencepiece::SentencePieceProcessor (see tok_spm.h).
#include "tok_spm.h"

#include <sentencepiece_processor.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

struct as_tok_spm {
    sentencepiece::SentencePieceProcessor sp;
};

// Copies the library's message as one line: messages end up in one-line error reports.
static void set_error(char *err, size_t errlen, const char *msg)
{
    if (!errlen)
        return;
    std::snprintf(err, errlen, "%s", msg);
    size_t n = 0;
    for (char *p = err; *p; p++, n++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    while (n && err[n - 1] == ' ')
        err[--n] = '\0';
}

extern "C" int as_tok_spm_open(as_tok_spm **out, const char *path, char *err, size_t errlen)
{
    *out = nullptr;
    // The library reports bad files through Status, but std::bad_alloc (and anything protobuf
    // throws) must not unwind into C frames.
    try {
        std::unique_ptr<as_tok_spm> s(new as_tok_spm);
        const sentencepiece::util::Status st = s->sp.Load(path);
        if (!st.ok()) {
            set_error(err, errlen, st.error_message());
            return -1;
        }
        *out = s.release();
        return 0;
    } catch (const std::exception &e) {
        set_error(err, errlen, e.what());
        return -1;
    }
}

extern "C" void as_tok_spm_destroy(as_tok_spm *s)
{
    delete s;
}

extern "C" int as_tok_spm_encode(const as_tok_spm *s, const char *text, size_t len,
                                 as_tok_spm_piece_fn fn, void *ctx, char *err, size_t errlen)
{
    try {
        std::vector<std::string> pieces;
        const sentencepiece::util::Status st =
            s->sp.Encode(absl::string_view(text, len), &pieces);
        if (!st.ok()) {
            set_error(err, errlen, st.error_message());
            return -1;
        }
        for (const std::string &p : pieces)
            fn(ctx, p.data(), p.size());
        return 0;
    } catch (const std::exception &e) {
        set_error(err, errlen, e.what());
        return -1;
    }
}
