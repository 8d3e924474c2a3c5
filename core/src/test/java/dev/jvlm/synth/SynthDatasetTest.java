package dev.jvlm.synth;

import dev.jvlm.JvlmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SynthDatasetTest {
    private static final SynthDataset DATASET = new SynthDataset(new SynthConfig(42));

    private static List<Example> examples(SynthDataset dataset, Split split, int count) {
        return IntStream.range(0, count).mapToObj(i -> dataset.example(split, i)).toList();
    }

    @Test
    void anExampleDependsOnlyOnSeedTasksSplitAndIndex() {
        SynthDataset again = new SynthDataset(new SynthConfig(42));
        for (int i = 99; i >= 0; i--) {
            assertEquals(DATASET.example(Split.VAL, i), again.example(Split.VAL, i));
        }
        assertNotEquals(DATASET.example(Split.TRAIN, 0).scene(), new SynthDataset(new SynthConfig(43)).example(Split.TRAIN, 0).scene());
        SynthDataset larger = new SynthDataset(new SynthConfig(42, 128, EnumSet.allOf(QuestionType.class)));
        assertEquals(DATASET.example(Split.TEST, 5), larger.example(Split.TEST, 5), "the image size changes only pixels");
    }

    /** The start of a dataset, pinned: a change here changes every dataset made so far. */
    @Test
    void firstExamplesArePinned() {
        assertEquals("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"},{\"type\":\"text\",\"text\":"
                + "\"What colour is the cross?\"}]},{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"red\"}]}],"
                + "\"images\":[\"images/train_000000.png\"],\"question_type\":\"color\",\"answer\":\"red\",\"id\":\"train_000000\"}",
                DatasetWriter.jsonLine(DATASET.example(Split.TRAIN, 0)));
        assertEquals("a small green circle at the top-right, a large red cross in the center, a large green star on the right"
                + " and a small red circle at the bottom", Annotator.caption(DATASET.example(Split.TRAIN, 0).scene()));
        Example caption = DATASET.example(Split.TEST, 6);
        assertEquals(QuestionType.CAPTION, caption.type());
        assertEquals("Describe the image. -> a large red square at the top-right", caption.question() + " -> " + caption.answer());
    }

    @Test
    void everyAnswerIsTheOnlyRightOneForItsScene() {
        for (Split split : Split.values()) {
            for (Example example : examples(DATASET, split, 700)) {
                assertEquals(answerFromScene(example.question(), example.scene()), example.answer(), example.toString());
            }
        }
    }

    /** A question form of the task, answered from the scene model alone, independently of the generator. */
    private record Form(Pattern pattern, BiFunction<List<Shape>, String, String> answer) {
    }

    private static final List<Form> FORMS = List.of(
            new Form(Pattern.compile("What colour is the (\\w+)\\?"), (shapes, kind) -> onlyOne(shapes, s -> s.kind().word().equals(kind)).color().word()),
            new Form(Pattern.compile("How many (\\w+) are there\\?"), (shapes, noun) -> Long.toString(noun.equals("shapes")
                    ? shapes.size() : shapes.stream().filter(s -> s.kind().plural().equals(noun)).count())),
            new Form(Pattern.compile("Where is the (\\w+)\\?"), (shapes, kind) -> onlyOne(shapes, s -> s.kind().word().equals(kind)).position().word()),
            new Form(Pattern.compile("Is there a (\\w+)\\?"), (shapes, kind) -> shapes.stream().anyMatch(s -> s.kind().word().equals(kind)) ? "yes" : "no"),
            new Form(Pattern.compile("Which shape is (\\w+)\\?"), (shapes, color) -> onlyOne(shapes, s -> s.color().word().equals(color)).kind().word()),
            new Form(Pattern.compile("Is the (\\w+) small or large\\?"), (shapes, kind) -> onlyOne(shapes, s -> s.kind().word().equals(kind)).size().word()),
            new Form(Pattern.compile("Describe the image\\.()"), (shapes, none) -> caption(shapes)),
            new Form(Pattern.compile("Describe the (\\w+)\\."), (shapes, kind) -> describe(onlyOne(shapes, s -> s.kind().word().equals(kind)))),
            new Form(Pattern.compile("How many (\\w+) shapes are there\\?"),
                    (shapes, color) -> Long.toString(shapes.stream().filter(s -> s.color().word().equals(color)).count())));

    /** Answers a question from the scene, failing when the scene makes it ambiguous. */
    private static String answerFromScene(String question, Scene scene) {
        for (Form form : FORMS) {
            Matcher m = form.pattern().matcher(question);
            if (m.matches()) {
                return form.answer().apply(scene.shapes(), m.group(1));
            }
        }
        return fail("unexpected question: " + question);
    }

    private static String caption(List<Shape> shapes) {
        List<String> parts = shapes.stream().sorted(Comparator.comparing(Shape::position)).map(SynthDatasetTest::describe).toList();
        return parts.size() == 1 ? parts.getFirst() : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.getLast();
    }

    private static String describe(Shape s) {
        return String.join(" ", "a", s.size().word(), s.color().word(), s.kind().word(), s.position().phrase());
    }

    private static Shape onlyOne(List<Shape> shapes, Predicate<Shape> matches) {
        List<Shape> found = shapes.stream().filter(matches).toList();
        assertEquals(1, found.size(), () -> "ambiguous or unanswerable: " + shapes);
        return found.getFirst();
    }

    @Test
    void captionsNameEveryShapeInReadingOrder() {
        Scene scene = new Scene(List.of(
                new Shape(ShapeKind.STAR, ShapeColor.BLACK, ShapeSize.LARGE, Position.BOTTOM),
                new Shape(ShapeKind.CIRCLE, ShapeColor.RED, ShapeSize.LARGE, Position.LEFT),
                new Shape(ShapeKind.SQUARE, ShapeColor.BLUE, ShapeSize.SMALL, Position.CENTER)), 230, 0, 0);
        assertEquals("a large red circle on the left, a small blue square in the center and a large black star at the bottom",
                Annotator.caption(scene));
        assertEquals("a small green cross at the top-right",
                Annotator.caption(new Scene(List.of(new Shape(ShapeKind.CROSS, ShapeColor.GREEN, ShapeSize.SMALL, Position.TOP_RIGHT)), 230, 0, 0)));
    }

    @Test
    void typesAreEquallyCommonAndAnswersUniformPerQuestion() {
        int perType = 600;
        List<QuestionType> types = List.of(QuestionType.values());
        List<Example> examples = examples(DATASET, Split.TRAIN, perType * types.size());
        Map<QuestionType, Long> byType = examples.stream().collect(Collectors.groupingBy(Example::type, Collectors.counting()));
        types.forEach(t -> assertEquals(perType, byType.get(t), t.key()));

        Map<String, Map<String, Integer>> answersByQuestion = new HashMap<>();
        examples.stream().filter(e -> e.type() != QuestionType.CAPTION).forEach(e ->
                answersByQuestion.computeIfAbsent(e.question(), q -> new HashMap<>()).merge(e.answer(), 1, Integer::sum));
        List<String> asked = types.stream().flatMap(t -> t.questions().stream()).toList();
        assertEquals(Set.copyOf(asked), answersByQuestion.keySet(), "every question is asked");
        for (QuestionType type : QuestionType.QUESTIONS) {
            for (String question : type.questions()) {
                Map<String, Integer> answers = answersByQuestion.get(question);
                int total = answers.values().stream().mapToInt(Integer::intValue).sum();
                // A chi-square statistic: with at most 8 degrees of freedom, 30 is beyond the 99.9th percentile.
                double expected = (double) total / answers.size();
                double chiSquare = answers.values().stream().mapToDouble(n -> (n - expected) * (n - expected) / expected).sum();
                assertTrue(chiSquare < 30, question + " " + answers);
                assertTrue(type.answers().containsAll(answers.keySet()), question + " " + answers);
            }
        }
    }

    @Test
    void everyAnswerOfEveryQuestionOccurs() {
        Map<String, Set<String>> seen = new HashMap<>();
        examples(DATASET, Split.TEST, 3000).forEach(e -> seen.computeIfAbsent(e.question(), q -> new HashSet<>()).add(e.answer()));
        assertEquals(List.of("0", "1", "2", "3", "4"), QuestionType.COUNT.answers().stream().sorted().toList());
        assertEquals(Set.of("0", "1", "2", "3", "4"), seen.get("How many stars are there?"));
        assertEquals(Set.of("1", "2", "3", "4"), seen.get("How many shapes are there?"));
        assertEquals(Set.copyOf(QuestionType.POSITION.answers()), seen.get("Where is the triangle?"));
    }

    /** A layout is what makes a scene new: which shapes, of which colour and size, in which cells. */
    private static Set<List<String>> layouts(List<Example> examples) {
        return examples.stream()
                .map(e -> e.scene().shapes().stream().map(s -> s.kind() + " " + s.color() + " " + s.size() + " " + s.position()).sorted().toList())
                .collect(Collectors.toSet());
    }

    @Test
    void heldOutLayoutsNeverOccurInTraining() {
        Set<List<String>> train = layouts(examples(DATASET, Split.TRAIN, 3000));
        // Another seed, so that not even a different seed can leak a held-out layout into training.
        SynthDataset other = new SynthDataset(new SynthConfig(7));
        Set<List<String>> val = layouts(examples(other, Split.VAL, 1500));
        Set<List<String>> test = layouts(examples(other, Split.TEST, 1500));
        for (Set<List<String>> heldOut : List.of(val, test)) {
            Set<List<String>> common = new HashSet<>(heldOut);
            common.retainAll(train);
            assertEquals(Set.of(), common);
        }
        Set<List<String>> common = new HashSet<>(val);
        common.retainAll(test);
        assertEquals(Set.of(), common);
        // One-shape layouts are few (540), so a split that did not partition them would share many.
        assertTrue(train.stream().filter(l -> l.size() == 1).count() > 100);
    }

    @Test
    void aboutOneTenthOfLayoutsIsHeldOutForEachOfValAndTest() {
        Map<Split, Long> counts = new java.util.EnumMap<>(Split.class);
        java.util.Random rng = new java.util.Random(1);
        for (int i = 0; i < 20_000; i++) {
            counts.merge(SceneGenerator.splitOf(SceneGenerator.randomScene(rng)), 1L, Long::sum);
        }
        assertEquals(0.1, counts.get(Split.TEST) / 20_000.0, 0.01);
        assertEquals(0.1, counts.get(Split.VAL) / 20_000.0, 0.01);
    }

    @Test
    void vocabularyCoversExactlyTheGeneratedWords() {
        Set<String> used = new HashSet<>();
        for (Example e : examples(DATASET, Split.TRAIN, 4000)) {
            used.addAll(SynthDataset.words(e.question()));
            used.addAll(SynthDataset.words(e.answer()));
        }
        assertEquals(SynthDataset.vocabulary(), new java.util.TreeSet<>(used));
        assertEquals(List.of("Is", "the", "top-left", "star", "small", "or", "large", "?", ",", "."),
                SynthDataset.words("Is the top-left star small or large?,."));
    }

    @Test
    void taskListsNameQuestionTypes() {
        assertEquals(EnumSet.complementOf(EnumSet.of(QuestionType.COLOR_COUNT, QuestionType.DESCRIBE)), QuestionType.parseTasks("qa,caption"));
        assertEquals(EnumSet.of(QuestionType.DESCRIBE, QuestionType.CAPTION), QuestionType.parseTasks("describe,caption"));
        assertEquals(EnumSet.of(QuestionType.COLOR_COUNT), QuestionType.parseTasks("color_count"));
        assertEquals(QuestionType.QUESTIONS, QuestionType.parseTasks("qa"));
        assertEquals(EnumSet.of(QuestionType.COLOR, QuestionType.COUNT), QuestionType.parseTasks("count, color"));
        JvlmException e = assertThrows(JvlmException.class, () -> QuestionType.parseTasks("qa,colours"));
        assertTrue(e.getMessage().contains("unknown task 'colours'") && e.getMessage().contains("existence"), e.getMessage());
        assertThrows(JvlmException.class, () -> QuestionType.parseTasks(""));
    }

    /** Descriptions name the one shape of the asked kind as captions do, and start by repeating the kind. */
    @Test
    void descriptionsRepeatTheAskedKindAndDescribeItsOneShape() {
        SynthDataset describe = new SynthDataset(new SynthConfig(9, 64, EnumSet.of(QuestionType.DESCRIBE)));
        Set<String> asked = new HashSet<>();
        for (Example e : examples(describe, Split.TRAIN, 200)) {
            String kind = e.question().substring("Describe the ".length(), e.question().length() - 1);
            asked.add(kind);
            assertEquals(kind, e.answer().split(" ")[3], e.toString());
            assertTrue(Annotator.caption(e.scene()).contains(e.answer()), e.toString());
        }
        assertEquals(Set.copyOf(QuestionType.DESCRIBE.questions().stream().map(q -> q.split(" ")[2].replace(".", "")).toList()), asked);
        assertEquals(List.of(), QuestionType.DESCRIBE.answers(), "sentence answers have no fixed set");
    }

    /** The held-back type: its answer is the number of shapes of the named colour, at most 3. */
    @Test
    void colorCountsCountTheNamedColour() {
        SynthDataset counts = new SynthDataset(new SynthConfig(5, 64, EnumSet.of(QuestionType.COLOR_COUNT)));
        Pattern question = Pattern.compile("How many (\\w+) shapes are there\\?");
        Set<String> answers = new HashSet<>();
        for (Example e : examples(counts, Split.TEST, 200)) {
            Matcher m = question.matcher(e.question());
            assertTrue(m.matches(), e.question());
            long n = e.scene().shapes().stream().filter(s -> s.color().word().equals(m.group(1))).count();
            assertEquals(Long.toString(n), e.answer(), e.question() + " " + e.scene());
            answers.add(e.answer());
        }
        assertEquals(Set.of("0", "1", "2", "3"), answers);
        assertTrue(SynthDataset.vocabulary().containsAll(SynthDataset.words("How many purple shapes are there?")));
    }

    @Test
    void onlyChosenTypesAreGeneratedInTurn() {
        SynthDataset colorsAndCaptions = new SynthDataset(new SynthConfig(1, 64, EnumSet.of(QuestionType.CAPTION, QuestionType.COLOR)));
        assertEquals(List.of(QuestionType.COLOR, QuestionType.CAPTION, QuestionType.COLOR, QuestionType.CAPTION),
                examples(colorsAndCaptions, Split.TRAIN, 4).stream().map(Example::type).toList());
    }

    @Test
    void badConfigurationsAreClearErrors() {
        JvlmException small = assertThrows(JvlmException.class, () -> new SynthConfig(1, 16, EnumSet.of(QuestionType.COLOR)));
        assertEquals("image size must be 32 to 1024 pixels, got 16", small.getMessage());
        assertThrows(JvlmException.class, () -> new SynthConfig(1, 64, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> DATASET.example(Split.TRAIN, -1));
    }

    @Test
    void scenesRejectImpossibleLayouts() {
        Shape circle = new Shape(ShapeKind.CIRCLE, ShapeColor.RED, ShapeSize.SMALL, Position.CENTER);
        assertThrows(IllegalArgumentException.class, () -> new Scene(List.of(), 230, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Scene(List.of(circle, circle), 230, 0, 0));
        List<Shape> five = new ArrayList<>();
        Stream.of(Position.values()).limit(5).forEach(p -> five.add(new Shape(ShapeKind.STAR, ShapeColor.RED, ShapeSize.SMALL, p)));
        assertThrows(IllegalArgumentException.class, () -> new Scene(five, 230, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Shape(ShapeKind.STAR, ShapeColor.RED, ShapeSize.SMALL, Position.TOP, 1.5, 0));
    }
}
