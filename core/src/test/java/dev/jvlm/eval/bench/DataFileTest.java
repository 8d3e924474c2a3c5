package dev.jvlm.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jvlm.JvlmException;
import dev.jvlm.vision.DecodedImage;
import dev.jvlm.vision.ImageLoader;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static Row row(DataFile.Entry entry) {
        return assertInstanceOf(Row.class, entry);
    }

    @Test
    void tsvCellsFollowPandasQuotingAndImagesResolveAsVlmEvalKitDoes() throws IOException {
        String red = TestImages.base64Png(3, 2, Color.RED);
        String blue = TestImages.base64Png(2, 2, Color.BLUE);
        Path file = write("bench.tsv", "index\tquestion\timage\tanswer\n"
                + "0\t\"He said \"\"hi\"\"\tand left\nthen\"\t" + red + "\tA\n"
                + "\n"
                + "1000000\tsay \"what\"\t0\tB\r\n"
                + "7\ttwo images\t\"['" + red + "', '" + blue + "']\"\tC\n"
                + "8\ttoo\tmany\tcells\there\n"
                + "9\tshared\t5\tD\n");
        List<DataFile.Entry> entries = DataFile.read(file);
        assertEquals(5, entries.size());
        Row first = row(entries.get(0));
        assertEquals("He said \"hi\"\tand left\nthen", first.text("question"));
        assertEquals("row 1 (line 2)", first.where());
        Row rotation = row(entries.get(1));
        assertEquals("say \"what\"", rotation.text("question"), "a quote inside an unquoted cell is literal");
        assertEquals("row 2 (line 5)", rotation.where());
        ImageLoader loader = new ImageLoader();
        DecodedImage shared = rotation.images().getFirst().decode(loader);
        assertEquals(3, shared.width(), "index 1000000 shows the image of row index 0");
        Row two = row(entries.get(2));
        assertEquals(List.of("image[0]", "image[1]"), two.images().stream().map(ImageRef::field).toList());
        assertEquals(2, two.images().get(1).decode(loader).width());
        assertEquals("a row has 5 cells where the header has 4",
                assertInstanceOf(DataFile.Malformed.class, entries.get(3)).reason());
        assertEquals("image cell refers to row index 5, which has no image data",
                assertInstanceOf(DataFile.Malformed.class, entries.get(4)).reason());
    }

    @Test
    void parquetRowsInHuggingFaceLayoutReadLikeJsonl() {
        Path file = dev.jvlm.data.ParquetFixtures.writeVqa(dir.resolve("vqa.parquet"),
                List.of(new String[] {"What colour?", "red"}, new String[] {"How many?", "2"}));
        List<DataFile.Entry> entries = DataFile.read(file);
        assertEquals(2, entries.size());
        Row second = row(entries.get(1));
        assertEquals("How many?", second.text("question"));
        assertEquals("row 2", second.where());
        assertEquals(8, second.images().getFirst().decode(new ImageLoader()).width(), "the struct's bytes are the image");
    }

    @Test
    void tsvImagePathsAreRelativeToTheFile() throws IOException {
        Files.createDirectories(dir.resolve("imgs"));
        Files.write(dir.resolve("imgs/a.png"), TestImages.png(4, 1, Color.GREEN));
        Path file = write("paths.tsv", "index\tquestion\timage_path\n1\tq\timgs/a.png\n");
        assertEquals(4, row(DataFile.read(file).getFirst()).images().getFirst().decode(new ImageLoader()).width());
    }

    @Test
    void anUnclosedQuoteIsAnErrorNotOneLongCell() throws IOException {
        Path file = write("broken.tsv", "index\tquestion\n1\t\"never closed\n2\tq\n");
        JvlmException e = assertThrows(JvlmException.class, () -> DataFile.read(file));
        assertEquals(file + ": a quoted cell of the row that starts on line 2 is never closed", e.getMessage());
    }

    @Test
    void jsonlReadsPlainItemsAndConversations() throws IOException {
        Files.createDirectories(dir.resolve("imgs"));
        Path file = write("bench.jsonl", """
                {"question": "What is it?", "image": "imgs/a.png", "answer": "cat"}

                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Colour?"}]}, {"role": "assistant", "content": [{"type": "text", "text": "red"}]}], "images": ["imgs/b.png"]}
                {"conversations": [{"from": "human", "value": "<image>\\nHow many?"}, {"from": "gpt", "value": "3"}], "image": {"path": "imgs/c.png"}}
                {"question": "data url", "image": "data:image/png;base64,AAAA", "answer": "x"}
                {"question": "web", "image": "https://example.com/a.png", "answer": "x"}
                {"question": "unfinished", 
                [1, 2]
                """);
        List<DataFile.Entry> entries = DataFile.read(file);
        assertEquals(7, entries.size());
        Row plain = row(entries.get(0));
        assertEquals("line 1", plain.where());
        assertEquals(new ImageRef.File("image", dir.resolve("imgs/a.png")), plain.images().getFirst());
        Row trl = row(entries.get(1));
        assertEquals("line 3", trl.where());
        assertEquals("Colour?", trl.text("question"));
        assertEquals("red", trl.text("answer"));
        assertEquals(new ImageRef.File("images[0]", dir.resolve("imgs/b.png")), trl.images().getFirst());
        Row llava = row(entries.get(2));
        assertEquals("How many?", llava.text("question"));
        assertEquals("3", llava.text("answer"));
        assertEquals(new ImageRef.File("image", dir.resolve("imgs/c.png")), llava.images().getFirst());
        assertEquals(new ImageRef.Base64Text("image", "AAAA"), row(entries.get(3)).images().getFirst());
        assertEquals("image field 'image' is a web address; jvlm reads images from files only",
                assertInstanceOf(DataFile.Malformed.class, entries.get(4)).reason());
        DataFile.Malformed unfinished = assertInstanceOf(DataFile.Malformed.class, entries.get(5));
        assertEquals("line 7", unfinished.where());
        assertTrue(unfinished.reason().startsWith("malformed JSON ("), unfinished.reason());
        assertEquals("a line must be a JSON object", assertInstanceOf(DataFile.Malformed.class, entries.get(6)).reason());
    }

    @Test
    void imagesThatCannotBeDecodedAreSkipsSayingWhy() throws IOException {
        ImageLoader loader = new ImageLoader();
        assertEquals("image file not found: " + dir.resolve("none.png"),
                assertThrows(SkipException.class, () -> new ImageRef.File("image", dir.resolve("none.png")).decode(loader)).reason());
        Path text = write("notes.png", "not an image");
        assertTrue(assertThrows(SkipException.class, () -> new ImageRef.File("image", text).decode(loader)).reason()
                .startsWith("image does not decode: "));
        assertTrue(assertThrows(SkipException.class, () -> new ImageRef.Base64Text("image", "bm90IGFuIGltYWdl").decode(loader))
                .reason().startsWith("image does not decode: "));
    }

    @Test
    void unreadableFilesAreErrors() throws IOException {
        assertEquals(dir.resolve("none.tsv") + ": file not found",
                assertThrows(JvlmException.class, () -> DataFile.read(dir.resolve("none.tsv"))).getMessage());
        Path csv = write("bench.csv", "a,b\n");
        assertTrue(assertThrows(JvlmException.class, () -> DataFile.read(csv)).getMessage()
                .endsWith("unknown benchmark file type; expected .tsv (VLMEvalKit), .jsonl or .parquet"));
        Path corrupt = write("bench.parquet", "not parquet");
        assertTrue(assertThrows(JvlmException.class, () -> DataFile.read(corrupt)).getMessage().contains("cannot read as parquet"));
        Path empty = write("empty.tsv", "");
        assertTrue(assertThrows(JvlmException.class, () -> DataFile.read(empty)).getMessage().contains("empty TSV file"));
    }

    @Test
    void pythonListLiteralsAreReadLikeVlmEvalKitsEval() {
        assertEquals(List.of("a", "b'c", "d\"e", "1", "2.5", "\u00e9", "x\ny"),
                PythonLiteral.stringList("['a', \"b'c\", 'd\\\"e', 1, 2.5, '\\xe9', 'x\\ny']").orElseThrow());
        assertEquals(List.of(), PythonLiteral.stringList("[]").orElseThrow());
        assertEquals(List.of("a"), PythonLiteral.stringList(" ['a',] ").orElseThrow());
        assertTrue(PythonLiteral.stringList("(1)").isEmpty(), "a parenthesised number is not a list");
        assertTrue(PythonLiteral.stringList("[a, b]").isEmpty());
        assertTrue(PythonLiteral.stringList("['open").isEmpty());
        assertTrue(PythonLiteral.stringList("[1] and [2]").isEmpty());
    }
}
