package dev.ipckit.fifo;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.ipckit.ChannelException;

/**
 * What the FIFO frame decoder must do with any byte stream, checked against a model of the frame format
 * ({@link FrameDescriptor}) written independently of it:
 *
 * <ul>
 *   <li>every complete frame before the first bad header is delivered, whole, in order, with its own bytes;</li>
 *   <li>a header announcing a length outside 0..maxMessageLength makes the stream corrupt, with a
 *       {@link ChannelException} that names the channel and the length, right after the frames before it,
 *       and every later call throws again;</li>
 *   <li>bytes of a frame that never completes are never delivered, and are counted when discarded;</li>
 *   <li>however the bytes arrive (one read or many, cut anywhere), the outcome is the same, and the room the
 *       decoder offers for the next read is never empty;</li>
 *   <li>nothing else is thrown.</li>
 * </ul>
 *
 * The input is interpreted as: byte 0 picks maxMessageLength, bytes 1-2 seed how reads are cut and how many
 * messages a call may deliver, byte 3 chooses between the rest as a raw stream and the rest as a recipe for a
 * stream of well-formed frames with occasional damage. Both the Jazzer fuzz test and the seeded random test
 * drive this one property.
 */
final class FrameDecoderProperty {
    /** The name errors must carry. */
    static final String NAME = "the FIFO \"/fuzz/frames.fifo\"";
    private static final int[] MAX_MESSAGES = {0, 7, 255, 1000, 4092, 4092, 5000, 65_536, 1 << 20, 1 << 20};
    /** Payload bytes: a frame made from recipe byte i copies this from offset i % 251. */
    private static final byte[] PATTERN = new byte[(1 << 16) + 256];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i * 31 + (i >>> 8));
        }
    }

    private final Map<Integer, FrameDecoder> decoders = new HashMap<>();
    private final byte[] scratch = new byte[(1 << 20) + 8];
    private Model lastModel;
    private long corruptions;

    /**
     * Runs one input.
     *
     * @param data any bytes.
     * @throws AssertionError when the decoder breaks a promise.
     */
    void check(final byte[] data) {
        final int maxMessage = MAX_MESSAGES[(data.length > 0 ? data[0] & 0xFF : 0) % MAX_MESSAGES.length];
        final long seed = data.length > 2 ? (data[1] & 0xFF) << 8 | (data[2] & 0xFF) : 0;
        final byte[] stream = data.length > 3 && (data[3] & 1) == 1
            ? recipe(data, 4, maxMessage) : slice(data, Math.min(4, data.length));
        run(maxMessage, new SplittableRandom(seed), stream);
    }

    /**
     * @return the model of the last stream checked, for statistics.
     */
    Model lastModel() {
        return lastModel;
    }

    /**
     * Builds a stream of frames from a recipe: each recipe byte chooses a frame (a payload length derived from
     * it, sometimes a damaged header), so that fuzzers reach the decoder's deeper states with short inputs.
     */
    static byte[] recipe(final byte[] data, final int from, final int maxMessage) {
        final int limit = 1 << 16;
        int size = 0;
        for (int i = from; i < data.length && size < limit; i++) {
            final int length = length(data[i] & 0xFF, maxMessage);
            size += 4 + (length >= 0 && length <= maxMessage ? length : 0);
        }
        final byte[] out = new byte[Math.min(size, limit)];
        int at = 0;
        for (int i = from; i < data.length && out.length - at >= 4; i++) {
            final int length = length(data[i] & 0xFF, maxMessage);
            out[at] = (byte) length;
            out[at + 1] = (byte) (length >>> 8);
            out[at + 2] = (byte) (length >>> 16);
            out[at + 3] = (byte) (length >>> 24);
            at += 4;
            if (length >= 0 && length <= maxMessage) {
                final int written = Math.min(length, out.length - at); // the last frame may be cut short
                System.arraycopy(PATTERN, i % 251, out, at, written);
                at += written;
            }
        }
        return out;
    }

    /**
     * @return a payload length for one recipe byte: mostly short, some around PIPE_BUF, a few at or just under
     *     maxMessageLength, and one in 64 a damaged header.
     */
    private static int length(final int choice, final int maxMessage) {
        final int low = choice & 0x3F;
        return switch (choice >>> 6) {
            case 0, 1 -> choice & 0x7F;
            case 2 -> low * 67;
            default -> low < 4 ? damaged(low * 2 + (choice & 1), maxMessage)
                : low < 12 ? Math.max(0, maxMessage - (low - 4)) : low;
        };
    }

    private static int damaged(final int which, final int maxMessage) {
        return switch (which % 6) {
            case 0 -> which == 0 ? FrameDescriptor.HELLO : FrameDescriptor.BYE; // a control frame, not damage
            case 1 -> Integer.MIN_VALUE;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> maxMessage + 1;
            case 4 -> -which - 2;
            default -> maxMessage + 1 + which * 1_000_003;
        };
    }

    private static byte[] slice(final byte[] data, final int from) {
        final byte[] rest = new byte[data.length - from];
        System.arraycopy(data, from, rest, 0, rest.length);
        return rest;
    }

    /**
     * The decoder against the model, for one stream cut by {@code random}.
     */
    void run(final int maxMessage, final SplittableRandom random, final byte[] stream) {
        final Model model = new Model(stream, maxMessage);
        lastModel = model;
        final FrameDecoder decoder = decoders.computeIfAbsent(maxMessage,
            max -> new FrameDecoder(NAME, "fifo:/fuzz/frames.fifo", max));
        decoder.reset();
        final List<int[]> delivered = new ArrayList<>();
        final MemorySegment source = MemorySegment.ofArray(stream);
        ChannelException corrupt = null;
        int position = 0;
        try {
            while (true) {
                deliverAll(decoder, random, stream, model, delivered);
                if (position == stream.length) {
                    break;
                }
                final int free = decoder.prepareRead();
                if (free <= 0) {
                    throw new AssertionError("prepareRead offered " + free + " bytes with " + decoder.partialBytes()
                        + " held (capacity " + decoder.capacity() + ", maxMessage " + maxMessage + ")");
                }
                final int cut = random.nextInt(8) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(Math.max(1, free));
                final int bytes = Math.min(Math.min(free, cut), stream.length - position);
                MemorySegment.copy(source, position, decoder.segment(), decoder.tail(), bytes);
                decoder.appended(bytes);
                position += bytes;
            }
        } catch (final ChannelException e) {
            corrupt = e;
        }
        if (delivered.size() != model.frames.size()) {
            throw new AssertionError("delivered " + delivered.size() + " frames, the model " + model.frames.size()
                + " (maxMessage " + maxMessage + ", stream " + stream.length + " bytes, corrupt " + corrupt + ")");
        }
        if (model.badLength == null) {
            if (corrupt != null) {
                throw new AssertionError("a sound stream was called corrupt: " + corrupt.getMessage());
            }
            if (decoder.partialBytes() != model.partial) {
                throw new AssertionError("holds " + decoder.partialBytes() + " bytes of an unfinished frame, the "
                    + "model " + model.partial);
            }
            final String discarded = decoder.discardPartial();
            if (model.partial > 0 != discarded.contains(model.partial + " bytes were discarded")) {
                throw new AssertionError("discarding " + model.partial + " bytes said: '" + discarded + "'");
            }
        } else {
            if (corrupt == null) {
                throw new AssertionError("a header announcing length=" + model.badLength + " (maxMessage "
                    + maxMessage + ") was not called corrupt");
            }
            final String message = corrupt.getMessage();
            if (!message.contains(NAME) || !message.contains("length=" + model.badLength + ",")
                || !message.contains("maxMessageLength=" + maxMessage)) {
                throw new AssertionError("the corruption is not named with the FIFO and both lengths: " + message);
            }
            if ((++corruptions & 15) != 0) {
                return; // the repeat of the error is checked on every 16th corrupt stream
            }
            try {
                decoder.deliver((b, o, l) -> { }, 1);
                throw new AssertionError("a corrupt decoder delivered again");
            } catch (final ChannelException again) {
                if (!again.getMessage().equals(message)) {
                    throw new AssertionError("the second call said something else: " + again.getMessage());
                }
            }
        }
    }

    private void deliverAll(final FrameDecoder decoder, final SplittableRandom random, final byte[] stream,
                                   final Model model, final List<int[]> delivered) {
        while (true) {
            final int limit = random.nextInt(3) == 0 ? 1 : 1 + random.nextInt(64);
            final int count = decoder.deliver((buffer, offset, length) -> {
                final int index = delivered.size();
                if (index >= model.frames.size()) {
                    throw new AssertionError("frame " + index + " delivered, but the stream holds only "
                        + model.frames.size() + " whole frames before any damage");
                }
                final int[] expected = model.frames.get(index);
                if (length != expected[1]) {
                    throw new AssertionError("frame " + index + " delivered with length " + length + ", sent with "
                        + expected[1]);
                }
                buffer.getBytes(offset, scratch, 0, length);
                final int differs = Arrays.mismatch(scratch, 0, length, stream, expected[0], expected[0] + length);
                if (differs >= 0) {
                    throw new AssertionError("frame " + index + " differs at byte " + differs + " (torn)");
                }
                delivered.add(expected);
            }, limit);
            if (count < limit) {
                return;
            }
        }
    }

    /**
     * The frame format, parsed the plain way.
     */
    static final class Model {
        final List<int[]> frames = new ArrayList<>();
        Integer badLength;
        int partial;

        Model(final byte[] stream, final int maxMessage) {
            final ByteBuffer in = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
            while (in.remaining() >= 4) {
                final int length = in.getInt(in.position());
                if (length == FrameDescriptor.HELLO || length == FrameDescriptor.BYE) {
                    if (in.remaining() < 8) {
                        break;
                    }
                    in.position(in.position() + 8); // a control frame: a sender's pid, never delivered
                    continue;
                }
                if (length < 0 || length > maxMessage) {
                    badLength = length;
                    return;
                }
                if (in.remaining() - 4 < length) {
                    break;
                }
                frames.add(new int[] {in.position() + 4, length});
                in.position(in.position() + 4 + length);
            }
            partial = in.remaining();
        }
    }
}
