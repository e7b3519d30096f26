"""python3 -m heapan run [options] script.py [args...]: run a script, dump its heap
or trace its allocations.  python3 -m heapan run [options] -m module [args...] runs a
module as python3 -m module does.  python3 -m heapan attach PID [options] is
`heapan attach`: a dump of a running process."""

import argparse
import atexit
import builtins
import io
import os
import runpy
import signal
import sys
import types

import heapan


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python3 -m heapan",
        description="Run a Python script as `python3 script.py` would, and dump its heap "
                    "or trace its allocations.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a script and dump its heap or trace it")
    run.add_argument("--dump-at-exit", metavar="PATH",
                     help="dump when the script ends (%%p: pid, %%t: timestamp)")
    run.add_argument("--dump-on-signal", metavar="SIG",
                     help="dump on each signal SIG (e.g. USR1) to heapan-%%p-%%t.zst")
    run.add_argument("--signal-path", metavar="PATH", default="heapan-%p-%t.zst",
                     help="where --dump-on-signal writes (default: %(default)s)")
    run.add_argument("--dump-every", type=duration, metavar="INTERVAL",
                     help="dump every INTERVAL (30s, 5m, 1h, or seconds) to --series-path")
    run.add_argument("--dump-keep", type=int, default=0, metavar="N",
                     help="keep the first dump of the series and the newest N-1 (default: all)")
    run.add_argument("--series-path", metavar="PATH", default="heapan-%p-%n.zst",
                     help="where --dump-every writes (%%n: the dump's number; default: %(default)s)")
    run.add_argument("--dump-on-memory", metavar="LIMIT",
                     help="dump once, in the background, when the RSS reaches LIMIT (2GB), or "
                          "the cgroup's memory a share of its limit (80%%), to --memory-path")
    run.add_argument("--memory-path", metavar="PATH", default="heapan-%p-%t.zst",
                     help="where --dump-on-memory writes (default: %(default)s)")
    run.add_argument("--tracemalloc", nargs="?", const=16, type=int, metavar="NFRAMES",
                     help="trace allocations so dumps carry allocation stacks (default 16 frames)")
    run.add_argument("--trace", metavar="PATH",
                     help="record the script's allocations and frees into PATH (%%p, %%t); "
                          "no heap dump unless asked for")
    run.add_argument("--trace-frames", type=int, default=16, metavar="N",
                     help="Python frames kept per allocation (default %(default)s)")
    run.add_argument("--sample-bytes", type=byte_count, default=0, metavar="N",
                     help="record a Poisson sample, one allocation per N bytes on average "
                          "(e.g. 512K); 0, the default, records all")
    run.add_argument("--no-values", action="store_true",
                     help="keep string and number contents out of the dumps")
    run.add_argument("--gc-collect", action="store_true",
                     help="run a full garbage collection before each dump, so that it holds "
                          "no cycles waiting for the collector")
    run.add_argument("script", help="the script, or with -m MODULE, the module's first argument")
    run.add_argument("args", nargs=argparse.REMAINDER)
    argv, module, module_args = split_module(argv)
    if module is not None:
        argv = argv + ["-"]  # stands for the script, which -m replaces
    options = parser.parse_args(argv)
    options.module = module
    if module is not None:
        options.script, options.args = None, module_args
    if not 1 <= options.trace_frames <= 128:
        run.error("--trace-frames must be between 1 and 128")
    if options.dump_keep < 0 or options.dump_keep == 1:
        run.error("--dump-keep is 0 (every dump) or at least 2 (the first and the newest)")
    return options


def split_module(argv):
    """`run [options] -m MODULE args...` into the options, MODULE and its arguments:
    as for python3 -m, everything after the module is the module's own."""
    if not argv or argv[0] != "run":
        return argv, None, []
    takes_value = {"--dump-at-exit", "--dump-on-signal", "--signal-path", "--trace",
                   "--trace-frames", "--sample-bytes", "--dump-every", "--dump-keep",
                   "--series-path", "--dump-on-memory", "--memory-path"}
    i = 1
    while i < len(argv):
        word = argv[i]
        if word == "-m" or (word.startswith("-m") and not word.startswith("--")):
            if word == "-m" and i + 1 == len(argv):
                sys.exit("python3 -m heapan run: -m needs a module name")
            module = argv[i + 1] if word == "-m" else word[2:]
            rest = argv[i + 2:] if word == "-m" else argv[i + 1:]
            return argv[:i], module, rest
        if not word.startswith("-") or word == "--":
            break  # the script: what follows is its own
        optional_value = word == "--tracemalloc" and argv[i + 1:i + 2] != [] and argv[i + 1].isdigit()
        i += 2 if word in takes_value or optional_value else 1
    return argv, None, []


def byte_count(text):
    """'512K', '1M', '4096' -> bytes (K, M, G are powers of 1024)."""
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit():
        raise argparse.ArgumentTypeError("not a byte count: %r" % text)
    return int(digits) * scale


def duration(text):
    """'30s', '5m', '1h', '0.5' -> seconds."""
    scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:].lower(), 1)
    number = text[:-1] if text[-1:].lower() in "smh" and text[-1:].isalpha() else text
    try:
        seconds = float(number) * scale
    except ValueError:
        raise argparse.ArgumentTypeError("not an interval: %r (30s, 5m, 1h)" % text)
    if not seconds > 0:
        raise argparse.ArgumentTypeError("the interval must be positive: %r" % text)
    return seconds


def signal_number(name, parser_error):
    name = name.upper()
    number = getattr(signal, name if name.startswith("SIG") else "SIG" + name, None)
    if not isinstance(number, int):
        parser_error("unknown signal: %s" % name)
    return number


def attach(args):
    """python3 -m heapan attach ...: the analyzer's own `heapan attach`."""
    from heapan import tool
    program = tool.find_tool()
    if program is None:
        sys.exit("python3 -m heapan attach: %s" % tool.INSTALL_HINT)
    os.execv(program, [program, "attach"] + list(args))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["attach"]:
        attach(argv[1:])
    options = parse(argv)
    if options.dump_on_memory:
        try:
            heapan.dump_on_memory(options.dump_on_memory, options.memory_path,
                                  values=not options.no_values)
        except (ValueError, RuntimeError) as error:
            sys.exit("python3 -m heapan run: --dump-on-memory: %s" % error)
    if not (options.dump_at_exit or options.dump_on_signal or options.trace
            or options.dump_every or options.dump_on_memory):
        options.dump_at_exit = "heapan-%p.zst"
    dump_options = {"values": not options.no_values, "gc_collect": options.gc_collect}
    if options.tracemalloc:
        import tracemalloc
        tracemalloc.start(options.tracemalloc)
    if options.dump_on_signal:
        number = signal_number(options.dump_on_signal,
                               lambda message: sys.exit("heapan: " + message))
        heapan.dump_on_signal(number, options.signal_path, **dump_options)
    if options.dump_at_exit:
        heapan.dump_at_exit(options.dump_at_exit, **dump_options)
    if options.dump_every:
        series = heapan.dump_every(options.dump_every, options.series_path,
                                   keep=options.dump_keep, **dump_options)
        atexit.register(series.stop)
    def start_tracing():
        # Registered after the dump: atexit runs it first, so the dump is not traced.
        heapan.start_trace(heapan.expand_path(options.trace), frames=options.trace_frames,
                           sample_bytes=options.sample_bytes)
        atexit.register(heapan.stop_trace)

    if options.module is not None:
        run_module_as_main(options.module, options.args,
                           start_tracing if options.trace else None)
        return
    sys.argv = [options.script] + options.args
    sys.path[0] = os.path.dirname(os.path.abspath(options.script))
    run_as_main(options.script, start_tracing if options.trace else None)


def fresh_main_module(**names):
    """A new __main__ that stays in sys.modules, so its globals are reachable at exit."""
    main_module = types.ModuleType("__main__")
    main_module.__dict__.update(__builtins__=builtins, **names)
    sys.modules["__main__"] = main_module
    return main_module


def run_module_as_main(module, args, before_first_line=None):
    """Run `module` as `python3 -m module args...` does: sys.path[0] is the
    current directory, a package runs its __main__, and sys.argv[0] is the
    file that runs."""
    sys.path[0] = os.getcwd()
    try:
        # runpy's own lookup, as python3 -m uses it (a package: its __main__)
        name, spec, code = runpy._get_module_details(module)
    except ImportError as error:
        print("python3 -m heapan: %s" % error, file=sys.stderr)
        sys.exit(1)
    sys.argv = [spec.origin] + list(args)
    main_module = fresh_main_module(__file__=spec.origin, __cached__=spec.cached,
                                    __loader__=spec.loader, __package__=spec.parent,
                                    __spec__=spec)
    if before_first_line:
        before_first_line()
    exec(code, main_module.__dict__)


def run_as_main(script, before_first_line=None):
    """Run `script` in a fresh __main__ module that stays in sys.modules, as
    `python3 script.py` does: its globals are still reachable when the
    dump at exit runs (runpy.run_path would leave them to the collector).
    `before_first_line` runs once the script is read and compiled."""
    try:
        with io.open_code(script) as f:
            source = f.read()
    except OSError as error:
        print("python3 -m heapan: can't open file %r: %s" % (script, error.strerror),
              file=sys.stderr)
        sys.exit(2)
    code = compile(source, script, "exec")
    main_module = fresh_main_module(__file__=script, __cached__=None, __loader__=None,
                                    __package__=None, __spec__=None)
    if before_first_line:
        before_first_line()
    exec(code, main_module.__dict__)


if __name__ == "__main__":
    main()
