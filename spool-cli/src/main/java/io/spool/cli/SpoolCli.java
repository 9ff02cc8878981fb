package io.spool.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code spool} command: parses arguments, runs one subcommand and maps the outcome to an exit code. Use
 * {@link #run} to run it in-process (tests) and {@link #main} from the launcher. Each {@code run} builds its own
 * command objects, so concurrent runs on different threads do not share state.
 */
@Command(name = "spool",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Spool: a Kafka-compatible event streaming platform.",
        subcommands = {ServerCommand.class, TopicCommand.class, GroupCommand.class, ClusterCommand.class,
            ProduceCommand.class, ConsumeCommand.class, TxnCommand.class, ProducerCommand.class,
            io.spool.bench.BenchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation failed", "2:invalid usage or configuration"})
public final class SpoolCli implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, new Terminal(System.in, out, err, true));
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command in-process, as {@code spool args...} would, and returns its exit code. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, new Terminal(in, out, err, false));
    }

    static int run(String[] args, Terminal terminal) {
        ServerCommand.Parsed server = ServerCommand.parseSimple(args, terminal);
        int code = server != null ? runServer(server, terminal) : commandLine(terminal).execute(args);
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }

    /** Runs a {@code spool server} parsed without picocli, answering a failure as {@link #onFailure} does. */
    private static int runServer(ServerCommand.Parsed server, Terminal terminal) {
        try {
            return server.command().call();
        } catch (Exception e) {
            PrintWriter err = new PrintWriter(terminal.err(), true);
            if (server.verbose()) {
                e.printStackTrace(err);
            }
            err.println(ErrorMessages.describe(e));
            err.flush();
            return ErrorMessages.exitCode(e);
        }
    }

    static CommandLine commandLine(Terminal terminal) {
        CommandLine cli = new CommandLine(SpoolCli.class, new TerminalFactory(terminal));
        cli.setOut(new PrintWriter(terminal.out(), true));
        cli.setErr(new PrintWriter(terminal.err(), true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(SpoolCli::onUsageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> onFailure(e, commandLine, parseResult));
        return cli;
    }

    private static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        failed.getErr().println("spool: " + e.getMessage() + " (see '"
                + failed.getCommandSpec().qualifiedName() + " --help')");
        failed.getErr().flush();
        return EXIT_USAGE;
    }

    private static int onFailure(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (isVerbose(parseResult)) {
            e.printStackTrace(err);
        }
        err.println(ErrorMessages.describe(e));
        err.flush();
        return ErrorMessages.exitCode(e);
    }

    private static boolean isVerbose(ParseResult parseResult) {
        for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Creates command objects, handing a {@link Terminal} to those whose constructor takes one. */
    private static final class TerminalFactory implements CommandLine.IFactory {
        private final Terminal terminal;

        TerminalFactory(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            for (Constructor<?> c : cls.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Terminal.class) {
                    c.setAccessible(true);
                    return cls.cast(c.newInstance(terminal));
                }
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
