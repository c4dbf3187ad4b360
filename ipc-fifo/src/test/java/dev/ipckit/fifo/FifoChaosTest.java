package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.conformance.Chaos;
import dev.ipckit.conformance.ChaosPeer;
import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * kill -9 across processes on a named FIFO and on anonymous pipes handed to the child, each with the child
 * sending (frames up to 96 KB, some larger than the 64 KiB pipe buffer, so that they go out in pieces and a kill
 * can cut one) and with the child receiving slowly while this process is held back. The FIFOs keep their paths
 * from round to round; the pipes are new each round. See {@link Chaos} for what is checked;
 * {@value Reliability#CHAOS_ROUNDS} sets the rounds.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class FifoChaosTest {
    private static final int MAX_PAYLOAD = 96_000;
    private static final int BATCH = 8;

    @TempDir
    Path dir;

    @Test
    void shouldDeliverIntactPrefixesAndReportEveryKilledPeerOnFifosAndPipes() {
        final String toHere = dir.resolve("to-parent.fifo").toString();
        final String toChild = dir.resolve("to-child.fifo").toString();
        final int rounds = Reliability.chaosRounds();
        final Chaos.Summary summary = Chaos.run("fifo and pipe", (round, roundDir) -> {
            final ChildPipe fromChildPipe = ChildPipe.fromChild();
            final ChildPipe toChildPipe = ChildPipe.toChild();
            final List<Chaos.Channel> channels = List.of(
                new Chaos.Channel("fifo", Chaos.Direction.CHILD_SENDS, List.of(1), MAX_PAYLOAD,
                    "fifo:" + toHere + "?nonblock=true&timeout=10s",
                    () -> Channels.openReceiver("fifo:" + toHere + "?nonblock=true"), null, BATCH),
                new Chaos.Channel("pipe", Chaos.Direction.CHILD_SENDS, List.of(2), MAX_PAYLOAD,
                    "pipe:fd=" + ChildProcess.FIRST_PIPE_FD, fromChildPipe::receiver, null, BATCH),
                new Chaos.Channel("fifo held back", Chaos.Direction.CHILD_RECEIVES, List.of(3), MAX_PAYLOAD,
                    "fifo:" + toChild + "?nonblock=true",
                    () -> Channels.openSender("fifo:" + toChild + "?nonblock=true&timeout=10s"), null, BATCH),
                new Chaos.Channel("pipe held back", Chaos.Direction.CHILD_RECEIVES, List.of(4), MAX_PAYLOAD,
                    "pipe:fd=" + (ChildProcess.FIRST_PIPE_FD + 1), toChildPipe::sender, null, BATCH));
            return new Chaos.Round() {
                @Override
                public List<Chaos.Channel> channels() {
                    return channels;
                }

                @Override
                public Peer start(final List<String> childArgs) {
                    return new ChildPeer(
                        ChildProcess.startJava(ChaosPeer.class, childArgs, fromChildPipe, toChildPipe));
                }

                @Override
                public String warmUri() {
                    return "fifo:" + roundDir.resolve("warm.fifo") + "?nonblock=true";
                }

                @Override
                public void close() {
                    try {
                        fromChildPipe.close();
                    } finally {
                        toChildPipe.close();
                    }
                }
            };
        }, dir, rounds, Reliability.chaosSeed(), 4000);
        assertEquals(rounds, summary.kills());
        assertEquals(rounds * 2, summary.sendersGone());
        assertEquals(rounds * 2, summary.receiversGone());
        assertTrue(summary.received() > 0 && summary.sent() > 0, summary.toString());
    }
}
