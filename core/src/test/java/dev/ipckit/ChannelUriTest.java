package dev.ipckit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ChannelUriTest {

    @Test
    void shouldSplitSchemePathAndOptions() {
        final ChannelUri uri = ChannelUri.parse("fifo:/tmp/q.fifo?nonblock=true&timeout=5s&capacity=1m");
        assertEquals("fifo", uri.scheme());
        assertEquals("/tmp/q.fifo", uri.path());
        assertTrue(uri.bool("nonblock", false));
        assertEquals(Duration.ofSeconds(5), uri.duration("timeout", Duration.ZERO));
        assertEquals(1 << 20, uri.size("capacity", 0));
        assertEquals("fifo:/tmp/q.fifo?nonblock=true&timeout=5s&capacity=1m", uri.uri());
    }

    @Test
    void shouldAddAnOptionOnlyWhenTheUriDoesNotGiveIt() {
        assertEquals("fifo:/tmp/q.fifo?readahead=false",
            ChannelUri.parse("fifo:/tmp/q.fifo").withDefault("readahead", "false").uri());
        assertEquals("fifo:/tmp/q.fifo?timeout=5s&readahead=false",
            ChannelUri.parse("fifo:/tmp/q.fifo?timeout=5s").withDefault("readahead", "false").uri());
        assertEquals("fifo:/tmp/q.fifo?readahead=false",
            ChannelUri.parse("fifo:/tmp/q.fifo?").withDefault("readahead", "false").uri());
        final ChannelUri given = ChannelUri.parse("fifo:/tmp/q.fifo?readahead=true");
        assertEquals("fifo:/tmp/q.fifo?readahead=true", given.withDefault("readahead", "false").uri());
        assertFalse(ChannelUri.parse("pipe:fd=3").withDefault("readahead", "false").bool("readahead", true));
    }

    @Test
    void shouldReadSizesWithBinarySuffixes() {
        final ChannelUri uri = ChannelUri.parse("mmap:x?a=4k&b=64KB&c=2g&d=100");
        assertEquals(4096, uri.size("a", 0));
        assertEquals(65536, uri.size("b", 0));
        assertEquals(2L << 30, uri.size("c", 0));
        assertEquals(100, uri.size("d", 0));
        assertEquals(7, uri.size("absent", 7));
    }

    @Test
    void shouldReadDurationsWithUnits() {
        final ChannelUri uri = ChannelUri.parse("mmap:x?a=250ns&b=10us&c=5ms&d=2m&e=1h&f=0");
        assertEquals(Duration.ofNanos(250), uri.duration("a", null));
        assertEquals(Duration.ofNanos(10_000), uri.duration("b", null));
        assertEquals(Duration.ofMillis(5), uri.duration("c", null));
        assertEquals(Duration.ofMinutes(2), uri.duration("d", null));
        assertEquals(Duration.ofHours(1), uri.duration("e", null));
        assertEquals(Duration.ZERO, uri.duration("f", null));
    }

    @Test
    void shouldNameOptionValueAndUriWhenAValueIsBad() {
        final ChannelUri uri = ChannelUri.parse("mmap:x?capacity=lots&timeout=5&nonblock=maybe&wait=nap");
        final IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> uri.size("capacity", 0));
        assertTrue(size.getMessage().startsWith("capacity=lots in 'mmap:x?"), size.getMessage());
        final IllegalArgumentException duration = assertThrows(IllegalArgumentException.class, () -> uri.duration("timeout", null));
        assertTrue(duration.getMessage().contains("timeout=5"), duration.getMessage());
        assertThrows(IllegalArgumentException.class, () -> uri.bool("nonblock", false));
        final IllegalArgumentException choice = assertThrows(IllegalArgumentException.class,
            () -> uri.choice("wait", "spin", Set.of("spin", "yield")));
        assertTrue(choice.getMessage().contains("spin|yield"), choice.getMessage());
    }

    @Test
    void shouldRefuseUnknownOptionsListingTheKnownOnes() {
        final ChannelUri uri = ChannelUri.parse("mmap:x?capcity=1m");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> uri.requireOnly(Set.of("capacity", "wait")));
        assertEquals("unknown option 'capcity' in 'mmap:x?capcity=1m'; mmap channels take: capacity, wait", e.getMessage());
    }

    @Test
    void shouldRefuseMalformedUris() {
        assertThrows(IllegalArgumentException.class, () -> ChannelUri.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ChannelUri.parse("no-scheme"));
        assertThrows(IllegalArgumentException.class, () -> ChannelUri.parse(":x"));
        assertThrows(IllegalArgumentException.class, () -> ChannelUri.parse("mmap:x?a=1&a=2"));
        assertThrows(IllegalArgumentException.class, () -> ChannelUri.parse("mmap:x?=1"));
    }

    @Test
    void shouldTreatABareOptionAsTrue() {
        final ChannelUri uri = ChannelUri.parse("fifo:/tmp/x?nonblock");
        assertTrue(uri.bool("nonblock", false));
        assertFalse(ChannelUri.parse("fifo:/tmp/x?nonblock=false").bool("nonblock", true));
    }

    @Test
    void shouldReadAnOctalModeOfReadAndWriteBitsOnly() {
        final ChannelUri uri = ChannelUri.parse("fifo:/tmp/x?a=0660&b=600&c=0644");
        assertEquals(0660, uri.mode("a", 0600));
        assertEquals(0600, uri.mode("b", 0));
        assertEquals(0644, uri.mode("c", 0));
        assertEquals(0600, uri.mode("absent", 0600));
    }

    @Test
    void shouldRefuseAModeThatIsNotOctalOrGrantsMoreThanReadAndWrite() {
        final String[][] cases = {
            {"0689", "is not an octal permission mode"},
            {"rw", "is not an octal permission mode"},
            {"60", "is not an octal permission mode"},
            {"04600", "is not an octal permission mode"},
            {"0755", "sets execute, setuid, setgid or sticky bits (0111)"},
            {"1600", "sets execute, setuid, setgid or sticky bits (1000)"},
            {"0400", "takes read or write away from the owner"},
            {"0066", "takes read or write away from the owner"},
        };
        for (final String[] c : cases) {
            final ChannelUri uri = ChannelUri.parse("mmap:x?mode=" + c[0]);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> uri.mode("mode", 0600));
            assertTrue(e.getMessage().startsWith("mode=" + c[0] + " in 'mmap:x?mode=" + c[0] + "' " + c[1]),
                e.getMessage());
        }
    }
}
