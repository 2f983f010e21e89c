/* attnscope entry point: parse, run one sub-command, print at most one error line. */
#include "cli.h"

#include "attnscope/core.h"
#include "attnscope/tui.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    as_cli_opts o;
    int rc = as_cli_parse(&o, argc, argv);
    if (rc == AS_OK) {
        switch (o.cmd) {
        case AS_CMD_HELP: as_cli_usage(stdout); break;
        case AS_CMD_DUMP: rc = as_cli_dump(&o); break;
        case AS_CMD_INFO: rc = as_cli_info(&o); break;
        case AS_CMD_DEVICES: rc = as_cli_devices(&o); break;
        case AS_CMD_EXPLORE: rc = as_cli_explore(&o); break;
        case AS_CMD_ALIGN: rc = as_cli_align(&o); break;
        case AS_CMD_STATS: rc = as_cli_stats(&o); break;
        case AS_CMD_VIEW: rc = as_cli_view(&o); break;
        }
    }
    /* Output that could not be written (a full disk, a closed pipe when SIGPIPE is ignored) is a
     * failure even for commands that do not check every printf. */
    if (rc == AS_OK && (fflush(stdout) != 0 || ferror(stdout)))
        rc = as_fail(AS_EIO, "<stdout>: write error: %s", strerror(errno));
    if (rc != AS_OK) {
        fprintf(stderr, "attnscope: %s\n", as_last_error());
        return AS_CLI_EXIT_FAIL;
    }
    /* the explorer was stopped by a signal after restoring the terminal: everything is freed,
     * so end by that signal as an unhandled one would (a shell then sees 128 + signal) */
    int sig = as_tui_stop_signal();
    if (sig) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return 0;
}
