package dev.ipckit.examples;

import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;

/**
 * Receives and verifies the messages {@link Producer} sends, printing progress each second; stops when the
 * producer closes (after draining everything it sent) or on Ctrl-C.
 *
 * <pre>
 * Consumer URI      e.g. Consumer mmap:example
 * </pre>
 */
public final class Consumer {
    private long received;
    private String failure;

    private Consumer() {
    }

    /**
     * @param args the channel URI.
     */
    public static void main(final String[] args) {
        if (args.length != 1) {
            System.err.println("usage: Consumer URI");
            System.exit(2);
        }
        final int code = new Consumer().run(args[0]);
        if (code != 0) {
            Runtime.getRuntime().halt(code); // the channel is closed already; exit() could wait on the shutdown hook
        }
    }

    private int run(final String uri) {
        final Running running = Running.untilInterrupted();
        final MessageHandler handler = (buffer, offset, length) -> {
            if (failure == null) {
                failure = Generated.verify(buffer, offset, length, received, -1);
            }
            received++;
        };
        try (Receiver receiver = Channels.openReceiver(uri)) {
            System.out.println("consumer: receiving from " + uri);
            final ProgressLine progress = new ProgressLine("consumer", "received");
            while (running.isRunning() && failure == null) {
                try {
                    receiver.poll(handler, 256, Duration.ofMillis(100));
                } catch (final PeerGoneException e) {
                    System.out.printf("consumer: the producer closed; %,d messages received, all verified%n", received);
                    return 0;
                }
                progress.update(received);
            }
            if (failure != null) {
                System.out.println("consumer: verification failed: " + failure);
                return 1;
            }
            System.out.printf("consumer: stopped, %,d messages received, all verified%n", received);
            return 0;
        } finally {
            running.finished();
        }
    }
}
