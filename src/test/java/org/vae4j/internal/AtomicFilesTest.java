package org.vae4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles}: the content is replaced in one step, a failing write leaves the target as it
 * was and no temporary file behind, and a file system without atomic rename makes the write fail
 * rather than fall back to a non-atomic move.
 */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void writeString(Path target, String text) throws IOException {
        AtomicFiles.write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void contentIsReplacedAtomically() throws IOException {
        Path target = dir.resolve("out.txt");
        writeString(target, "old content");
        List<String> seenDuringWrite = new ArrayList<>();
        AtomicFiles.write(target, out -> {
            out.write("new ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            // Mid-write the target still holds the whole previous content, and the new bytes
            // go to one hidden temporary file beside it.
            seenDuringWrite.add(Files.readString(target));
            seenDuringWrite.addAll(names(dir));
            out.write("content".getBytes(StandardCharsets.UTF_8));
        });
        assertEquals("old content", seenDuringWrite.get(0));
        assertEquals(3, seenDuringWrite.size(), seenDuringWrite.toString());
        assertTrue(seenDuringWrite.get(1).matches("\\.out\\.txt\\.[0-9a-f]+\\.tmp"), seenDuringWrite.toString());
        assertEquals("out.txt", seenDuringWrite.get(2));
        assertEquals("new content", Files.readString(target));
        assertEquals(List.of("out.txt"), names(dir));
    }

    @Test
    void failingWriterLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out.bin");
        byte[] before = {1, 2, 3, 4};
        AtomicFiles.write(target, out -> out.write(before));
        IOException thrown = new IOException("disk full (simulated)");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw thrown;
        }));
        assertSame(thrown, e, "the writer's exception propagates unchanged");
        assertArrayEquals(before, Files.readAllBytes(target));
        assertEquals(List.of("out.bin"), names(dir), "no temporary file left");
    }

    @Test
    void failingWriterOfANewFileLeavesNothing() throws IOException {
        Path target = dir.resolve("new.bin");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeChannel(target, out -> {
            out.write(ByteBuffer.wrap(new byte[10]));
            throw new UncheckedIOException(new IOException("unchecked (simulated)"));
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void fileSystemWithoutAtomicRenameFailsAndNeverFallsBack() throws IOException {
        Path target = dir.resolve("model.safetensors");
        writeString(target, "previous");
        AtomicInteger moves = new AtomicInteger();
        AtomicFiles.Mover noAtomicRename = (source, dest) -> {
            moves.incrementAndGet();
            throw new AtomicMoveNotSupportedException(source.toString(), dest.toString(), "not supported (simulated)");
        };
        AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class,
                () -> AtomicFiles.writeChannel(target, out -> out.write(ByteBuffer.wrap(new byte[64])), noAtomicRename));
        assertTrue(e.getMessage().startsWith(target.toString()) && e.getMessage().contains("atomically")
                && e.getMessage().contains("not supported (simulated)"), e.getMessage());
        assertEquals(1, moves.get(), "no second, non-atomic attempt");
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("model.safetensors"), names(dir), "no temporary file left");
    }

    @Test
    void failedRenameNamesTheTargetAndCleansUp() throws IOException {
        Path target = dir.resolve("x.csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeChannel(target,
                out -> out.write(ByteBuffer.wrap(new byte[8])), (source, dest) -> {
                    throw new IOException("rename failed (simulated)");
                }));
        assertTrue(e.getMessage().startsWith(target.toString()) && e.getMessage().contains("rename failed (simulated)"),
                e.getMessage());
        assertEquals(List.of(), names(dir));
    }

    @Test
    void noStrayTemporaryFilesAfterManyWritesSomeFailing() throws Exception {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("sub").resolve("b.txt");
        for (int i = 0; i < 20; i++) {
            int n = i;
            writeString(a, "a" + i);
            AtomicFiles.writeChannel(b, out -> out.write(ByteBuffer.wrap(("b" + n).getBytes(StandardCharsets.UTF_8))));
            assertThrows(IOException.class, () -> AtomicFiles.write(a, out -> {
                out.write(new byte[n * 1000]);
                throw new IOException("fail " + n);
            }));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<String> texts = new ArrayList<>();
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String text = ("thread " + t + " ").repeat(2000);
                texts.add(text);
                writes.add(pool.submit(() -> {
                    writeString(a, text);
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(texts.contains(Files.readString(a)), "one writer's whole content, not a mix");
        assertEquals("b19", Files.readString(b));
        assertEquals(List.of("a.txt", "sub"), names(dir));
        assertEquals(List.of("b.txt"), names(b.getParent()));
    }

    @Test
    void createsMissingParentFoldersAndAllowsTheWriterToClose() throws IOException {
        Path target = dir.resolve("a").resolve("b").resolve("m.json");
        AtomicFiles.write(target, out -> {
            try (out) {
                out.write('{');
                out.write('}');
            }
        });
        assertEquals("{}", Files.readString(target));
        assertEquals(List.of("m.json"), names(target.getParent()));
    }

    @Test
    void aFolderIsNeverReplaced() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder"));
        IOException e = assertThrows(IOException.class, () -> writeString(folder, "x"));
        assertTrue(e.getMessage().startsWith(folder.toString()) && e.getMessage().contains("is a folder"),
                e.getMessage());
        assertTrue(Files.isDirectory(folder));
        assertEquals(List.of("folder"), names(dir));
    }

    @Test
    void writeBelowAFileFailsNamingTheTarget() throws IOException {
        Path file = Files.writeString(dir.resolve("plain.txt"), "not a folder");
        Path target = file.resolve("m.bin");
        IOException e = assertThrows(IOException.class, () -> writeString(target, "x"));
        assertTrue(e.getMessage().startsWith(target.toString()), e.getMessage());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void temporarySiblingIsMovedIntoPlace() throws IOException {
        Path target = dir.resolve("download.gz");
        writeString(target, "old");
        Path tmp = AtomicFiles.createTempSibling(target);
        assertEquals(dir.toAbsolutePath(), tmp.getParent());
        assertTrue(tmp.getFileName().toString().matches("\\.download\\.gz\\.[0-9a-f]+\\.tmp"), tmp.toString());
        Files.writeString(tmp, "fetched");
        AtomicFiles.moveIntoPlace(tmp, target);
        assertEquals("fetched", Files.readString(target));
        assertEquals(List.of("download.gz"), names(dir));

        Path missing = dir.resolve(".gone.tmp");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.moveIntoPlace(missing, target));
        assertTrue(e.getMessage().startsWith(target.toString()), e.getMessage());
        assertEquals("fetched", Files.readString(target));
    }

    @Test
    void folderSyncFailuresAreNotErrors() throws IOException {
        AtomicFiles.syncDirectory(dir.resolve("does-not-exist"));
        AtomicFiles.syncDirectory(Files.writeString(dir.resolve("f"), "a file"));
        AtomicFiles.syncDirectory(dir);
    }

    @Test
    void staleTemporaryFilesOfAKilledWriteAreRemovedByName() throws IOException {
        // what a write killed before its rename leaves: a real temporary sibling, never moved into place
        Path ckpt = AtomicFiles.createTempSibling(dir.resolve("checkpoint.safetensors"));
        Path metrics = AtomicFiles.createTempSibling(dir.resolve("metrics.json"));
        Files.writeString(ckpt, "half a checkpoint");
        Path keepOther = dir.resolve(".notes.txt.abc.tmp"); // not one of the targets
        Files.writeString(keepOther, "x");
        Path keepUser = dir.resolve(".checkpoint.safetensors.mine.tmp"); // not an AtomicFiles name
        Files.writeString(keepUser, "x");
        Path real = dir.resolve("checkpoint.safetensors");
        AtomicFiles.write(real, out -> out.write(1));

        List<Path> removed = AtomicFiles.removeStaleTemporaries(dir, List.of("checkpoint.safetensors", "metrics.json"));
        assertEquals(Stream.of(ckpt, metrics).sorted().toList(), removed);
        assertFalse(Files.exists(ckpt));
        assertFalse(Files.exists(metrics));
        assertTrue(Files.exists(keepOther));
        assertTrue(Files.exists(keepUser));
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(real));
        assertEquals(List.of(keepOther), AtomicFiles.removeStaleTemporaries(dir, null));
        assertEquals(List.of(), AtomicFiles.removeStaleTemporaries(dir.resolve("missing"), null));
    }
}
