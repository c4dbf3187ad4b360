package dev.ipckit.reference;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.ChannelUri;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.spi.ChannelProvider;

/**
 * An in-process reference channel, {@code mem:NAME?capacity=64k&maxMessage=4k}, that proves the conformance
 * kit on the plainest possible transport: an Agrona ring in direct memory shared by two threads. Test-only.
 */
public final class MemoryChannelProvider implements ChannelProvider {
    private static final Map<String, Shared> CHANNELS = new ConcurrentHashMap<>();

    private static final class Shared {
        final OneToOneRingBuffer ring;
        final int maxMessage;
        volatile boolean senderClosed;
        volatile boolean receiverClosed;

        Shared(final int capacity, final int maxMessage) {
            this.ring = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
            this.maxMessage = Math.min(maxMessage, ring.maxMsgLength());
        }
    }

    @Override
    public String scheme() {
        return "mem";
    }

    private static Shared shared(final ChannelUri uri) {
        uri.requireOnly(Set.of("capacity", "maxMessage"));
        final int capacity = (int) uri.size("capacity", 64 * 1024);
        if (Integer.bitCount(capacity) != 1) {
            throw uri.bad("capacity", uri.string("capacity", ""), "is not a power of two");
        }
        final int maxMessage = (int) uri.size("maxMessage", 4096);
        return CHANNELS.computeIfAbsent(uri.path(), k -> new Shared(capacity, maxMessage));
    }

    @Override
    public Sender openSender(final ChannelUri uri) {
        final Shared shared = shared(uri);
        return new Sender() {
            private boolean closed;
            private final BackoffIdleStrategy idle = new BackoffIdleStrategy();

            @Override
            public boolean offer(final DirectBuffer buffer, final int offset, final int length) {
                check(length);
                return shared.ring.write(1, buffer, offset, length);
            }

            @Override
            public boolean offer(final DirectBuffer buffer, final int offset, final int length, final Duration timeout) {
                check(length);
                final long deadline = System.nanoTime() + timeout.toNanos();
                idle.reset();
                while (!shared.ring.write(1, buffer, offset, length)) {
                    check(length);
                    if (System.nanoTime() - deadline >= 0) {
                        return false;
                    }
                    ChannelInterruptedException.checkInterrupt("offer", uri.uri());
                    idle.idle();
                }
                return true;
            }

            private void check(final int length) {
                if (closed) {
                    throw ChannelClosedException.of("sender", uri.uri());
                }
                if (length < 0 || length > shared.maxMessage) {
                    throw new IllegalArgumentException("length=" + length + " is outside 0..maxMessageLength="
                        + shared.maxMessage + " of " + uri.uri());
                }
                if (shared.receiverClosed) {
                    throw new PeerGoneException(PeerGoneException.Reason.CLOSED, 0, "the receiver of " + uri.uri() + " closed");
                }
            }

            @Override
            public String uri() {
                return uri.uri();
            }

            @Override
            public int maxMessageLength() {
                return shared.maxMessage;
            }

            @Override
            public boolean isPeerAlive() {
                if (closed) {
                    throw ChannelClosedException.of("sender", uri.uri());
                }
                return !shared.receiverClosed;
            }

            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    shared.senderClosed = true;
                    forgetIfBothClosed(uri.path(), shared);
                }
            }
        };
    }

    @Override
    public Receiver openReceiver(final ChannelUri uri) {
        final Shared shared = shared(uri);
        return new Receiver() {
            private boolean closed;
            private final BackoffIdleStrategy idle = new BackoffIdleStrategy();

            @Override
            public int poll(final dev.ipckit.MessageHandler handler, final int limit) {
                if (closed) {
                    throw ChannelClosedException.of("receiver", uri.uri());
                }
                final boolean senderGone = shared.senderClosed;
                final int n = shared.ring.read((type, buffer, index, length) -> handler.onMessage(buffer, index, length), limit);
                if (n == 0 && senderGone) {
                    throw new PeerGoneException(PeerGoneException.Reason.CLOSED, 0, "the sender of " + uri.uri() + " closed, and every message it sent was delivered");
                }
                return n;
            }

            @Override
            public int poll(final dev.ipckit.MessageHandler handler, final int limit, final Duration timeout) {
                final long deadline = System.nanoTime() + timeout.toNanos();
                idle.reset();
                while (true) {
                    final int n = poll(handler, limit);
                    if (n > 0 || System.nanoTime() - deadline >= 0) {
                        return n;
                    }
                    ChannelInterruptedException.checkInterrupt("poll", uri.uri());
                    idle.idle();
                }
            }

            @Override
            public String uri() {
                return uri.uri();
            }

            @Override
            public int maxMessageLength() {
                return shared.maxMessage;
            }

            @Override
            public boolean isPeerAlive() {
                if (closed) {
                    throw ChannelClosedException.of("receiver", uri.uri());
                }
                return !shared.senderClosed;
            }

            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    shared.receiverClosed = true;
                    forgetIfBothClosed(uri.path(), shared);
                }
            }
        };
    }

    private static void forgetIfBothClosed(final String name, final Shared shared) {
        if (shared.senderClosed && shared.receiverClosed) {
            CHANNELS.remove(name, shared);
        }
    }
}
