package dev.ipckit.examples.cli;

import java.util.concurrent.Callable;

import dev.ipckit.Channels;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ipckit} command line. Run through the {@code ./ipckit} launcher at the repository root.
 */
@Command(name = "ipckit", mixinStandardHelpOptions = true, version = "ipckit 0.1.0",
    description = "Linux inter-process messaging for Java: MAP_SHARED rings, FIFOs, pipes, signal and futex wake-ups.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the channel failed or the peer died (one sentence on stderr)",
        "2:bad usage or a bad URI"},
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

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
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public Integer call() {
        System.out.println("transports on the class path: " + String.join(", ", Channels.providers().keySet()));
        System.out.println("run 'ipckit --help' for the commands");
        return 0;
    }
}
