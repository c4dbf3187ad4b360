package dev.ipckit.examples.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.ipckit.examples.Publisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit example NAME ARGS...}: runs one of the example mains in package {@code dev.ipckit.examples}.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
    description = {"Run an example main from dev.ipckit.examples, e.g.",
        "  ipckit example Consumer mmap:demo        (one terminal)",
        "  ipckit example Producer mmap:demo 1000000 64   (another)",
        "Examples: Producer URI [COUNT [SIZE]], Consumer URI, PipeParent [COUNT [SIZE]],",
        "          Responder REQUEST_URI REPLY_URI, Requester REQUEST_URI REPLY_URI [COUNT],",
        "          Publisher [URI [COUNT [SIZE]]], Subscriber [URI]  (one publisher, several subscribers;",
        "          URI default " + Publisher.DEFAULT_URI + ")"})
final class ExampleCommand implements Callable<Integer> {
    static final List<String> NAMES = List.of("Producer", "Consumer", "PipeParent", "Responder", "Requester",
        "Publisher", "Subscriber");

    @Parameters(index = "0", paramLabel = "NAME",
        description = "one of: Producer, Consumer, PipeParent, Responder, Requester, Publisher, Subscriber")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "the example's arguments")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no example '" + name + "'; examples: " + String.join(", ", NAMES));
        }
        try {
            Class.forName("dev.ipckit.examples." + name).getMethod("main", String[].class)
                .invoke(null, (Object) args.toArray(String[]::new));
        } catch (final InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return 0;
    }
}
