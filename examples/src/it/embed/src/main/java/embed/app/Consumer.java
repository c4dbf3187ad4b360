package embed.app;

import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;

/** Receives COUNT messages from URI as MemorySegment views and checks each one. */
public final class Consumer {
    private static long received;
    private static String failure;

    private Consumer() {
    }

    /** @param args URI COUNT */
    public static void main(final String[] args) {
        final long count = Long.parseLong(args[1]);
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Receiver receiver = Channels.openReceiver(args[0])) {
            System.out.println("consumer: open");
            while (received < count && failure == null && System.nanoTime() < deadline) {
                try {
                    receiver.poll(message -> {
                        if (failure == null) {
                            failure = Messages.check(message, received);
                        }
                        received++;
                    }, 64, Duration.ofMillis(100));
                } catch (final PeerGoneException e) {
                    break;
                }
            }
        }
        if (failure != null || received != count) {
            System.out.println("consumer: received " + received + " of " + count
                + (failure == null ? "" : "; " + failure));
            System.exit(1);
        }
        System.out.println("consumer: received " + count + ", all checked");
    }
}
