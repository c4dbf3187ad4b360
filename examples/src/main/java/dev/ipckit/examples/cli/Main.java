package dev.ipckit.examples.cli;

import java.util.concurrent.Callable;

import dev.ipckit.Channels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code ipckit} command line. Run through the {@code ./ipckit} launcher at the repository root.
 * Errors print one sentence on stderr, without a stack trace unless {@code --verbose} is given.
 */
@Command(name = "ipckit", mixinStandardHelpOptions = true, version = "ipckit 0.1.0",
    description = "Linux inter-process messaging for Java: MAP_SHARED rings, FIFOs, pipes, signal and futex wake-ups.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        " 0:success",
        " 1:the channel failed, the peer died, verification failed, or a bench row could not be measured"
            + " (one sentence on stderr)",
        " 2:bad usage, a bad URI or a bad option"},
    subcommands = {DemoCommand.class, SendCommand.class, RecvCommand.class, BridgeCommand.class, StatCommand.class,
        GcCommand.class, ExampleCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    /** Exit code for a channel failure, a dead peer, a failed verification or a bench row without figures. */
    public static final int EXIT_FAILED = 1;
    /** Exit code for bad usage. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print stack traces of errors")
    boolean verbose;

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments.
     * @return the exit code.
     */
    public static int run(final String... args) {
        final Main main = new Main();
        final CommandLine commandLine = new CommandLine(main);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            final boolean usage = e instanceof IllegalArgumentException;
            cmd.getErr().println("ipckit " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (parseResult.matchedOption("--verbose") != null || main.verbose) {
                e.printStackTrace(cmd.getErr());
            }
            return usage ? EXIT_USAGE : EXIT_FAILED;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        System.out.println("transports on the class path: " + String.join(", ", Channels.providers().keySet()));
        System.out.println("run 'ipckit --help' for the commands");
        return 0;
    }
}
