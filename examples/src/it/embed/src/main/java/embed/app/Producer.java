package embed.app;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.Sender;

/** Sends COUNT messages to URI, even ones as byte[] and odd ones from native memory, then closes. */
public final class Producer {
    private Producer() {
    }

    /** @param args URI COUNT */
    public static void main(final String[] args) {
        final long count = Long.parseLong(args[1]);
        try (Sender sender = Channels.openSender(args[0]); Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(sender.maxMessageLength());
            for (long n = 0; n < count; n++) {
                final byte[] message = Messages.message(n);
                final boolean sent;
                if (n % 2 == 0) {
                    sent = sender.offer(message, Duration.ofSeconds(30));
                } else {
                    final MemorySegment slice = buffer.asSlice(0, message.length);
                    slice.copyFrom(MemorySegment.ofArray(message));
                    sent = sender.offer(slice, Duration.ofSeconds(30));
                }
                if (!sent) {
                    System.out.println("producer: message " + n + " not sent in 30 s: the channel stayed full");
                    System.exit(1);
                }
            }
        }
        System.out.println("producer: sent " + count);
    }
}
