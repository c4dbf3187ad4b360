package dev.ipckit.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.conformance.ChildJvm;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgronaAccessTest {
    private static final String FLAG = "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED";

    @TempDir
    Path dir;

    @Test
    void shouldThrowAChannelExceptionNamingTheFlagWhenAgronaFormsRunWithoutIt() {
        final Map<String, String> outcome = run(List.of("--enable-native-access=ALL-UNNAMED"));
        assertEquals("false", outcome.get("available"), outcome.toString());
        for (final String call : List.of("offerSegment", "offerSegmentTimed", "offerBytes", "pollSegment", "check")) {
            final String line = outcome.get(call);
            assertTrue(line.startsWith("threw " + ChannelException.class.getName() + ": "), call + ": " + line);
            assertTrue(line.contains("start the JVM with " + FLAG), call + ": " + line);
            assertTrue(line.contains("offer(MemorySegment), offer(byte[]) and poll(SegmentHandler, int)"),
                call + " names the forms that need no flag: " + line);
        }
        assertTrue(outcome.get("offerSegment").startsWith("threw " + ChannelException.class.getName()
            + ": offer(MemorySegment) on stub:agrona-only uses Agrona's buffers"), outcome.get("offerSegment"));
        assertTrue(outcome.get("offerSegmentTimed").contains(": offer(MemorySegment, Duration) on stub:agrona-only "),
            outcome.get("offerSegmentTimed"));
        assertTrue(outcome.get("pollSegment").contains(": poll(SegmentHandler, int) on stub:agrona-only "),
            outcome.get("pollSegment"));
        assertTrue(outcome.get("check").contains(": offer(DirectBuffer, int, int) on stub:agrona-only "),
            outcome.get("check"));
    }

    @Test
    void shouldSendByteArraysThroughANativeSegmentFormWithoutAgronasFlag() {
        final Map<String, String> outcome = run(List.of("--enable-native-access=ALL-UNNAMED"));
        assertEquals("returned true", outcome.get("nativeOfferBytes"), outcome.toString());
        assertEquals("returned true", outcome.get("nativeOfferBytesTimed"), outcome.toString());
    }

    @Test
    void shouldBridgeEveryFormWhenTheFlagIsGiven() {
        final Map<String, String> outcome = run(JavaCommand.JVM_FLAGS);
        assertEquals("true", outcome.get("available"), outcome.toString());
        assertEquals("returned true", outcome.get("offerSegment"), outcome.toString());
        assertEquals("returned true", outcome.get("offerSegmentTimed"), outcome.toString());
        assertEquals("returned true", outcome.get("offerBytes"), outcome.toString());
        assertEquals("returned true", outcome.get("pollSegment"), outcome.toString());
        assertEquals("returned true", outcome.get("check"), outcome.toString());
        assertEquals("returned true", outcome.get("nativeOfferBytes"), outcome.toString());
    }

    @Test
    void shouldNameTheClassPathFormOfTheFlagHere() {
        assertTrue(AgronaAccess.available(), "the tests run with " + FLAG);
        assertEquals(FLAG, AgronaAccess.flag());
    }

    private Map<String, String> run(final List<String> flags) {
        final ChildJvm.Result result = ChildJvm.runWithFlags(flags, AgronaFlagPeer.class, List.of(), dir,
            Duration.ofSeconds(60));
        assertEquals(0, result.exitCode(), result.output().toString());
        return result.output().stream().filter(line -> line.contains("="))
            .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                line -> line.substring(line.indexOf('=') + 1)));
    }
}
