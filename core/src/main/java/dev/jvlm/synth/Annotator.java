package dev.jvlm.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The text of examples: every question the generator asks, how a scene answers it, and captions.
 * Questions that name a kind or colour are answerable only when exactly one shape has it, so each
 * answer is the only right one.
 */
final class Annotator {
    static final String CAPTION_PROMPT = "Describe the image.";

    /**
     * A question the generator can ask, with every answer it can have.
     *
     * @param answerer the scene's answer, or empty when the scene makes the question ambiguous
     */
    record Question(QuestionType type, String text, List<String> answers, Function<Scene, Optional<String>> answerer) {
        Optional<String> answer(Scene scene) {
            return answerer.apply(scene);
        }
    }

    /**
     * The largest colour count asked about. Three of four shapes in one colour is already rare (colours
     * do not repeat on purpose, unlike kinds); four would take tens of thousands of draws per example.
     */
    private static final int MAX_COLOR_COUNT = 3;

    /** Every question, grouped by type in {@link QuestionType} order. */
    static final List<Question> QUESTIONS = allQuestions();

    private Annotator() {
    }

    private static List<Question> allQuestions() {
        List<String> colors = Stream.of(ShapeColor.values()).map(ShapeColor::word).toList();
        List<String> positions = Stream.of(Position.values()).map(Position::word).toList();
        List<String> kinds = Stream.of(ShapeKind.values()).map(ShapeKind::word).toList();
        List<String> sizes = Stream.of(ShapeSize.values()).map(ShapeSize::word).toList();
        List<Question> questions = new ArrayList<>();
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.COLOR, "What colour is the " + kind.word() + "?", colors,
                    scene -> only(scene, s -> s.kind() == kind).map(s -> s.color().word())));
        }
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.COUNT, "How many " + kind.plural() + " are there?", counts(0),
                    scene -> Optional.of(Long.toString(scene.shapes().stream().filter(s -> s.kind() == kind).count()))));
        }
        questions.add(new Question(QuestionType.COUNT, "How many shapes are there?", counts(1),
                scene -> Optional.of(Integer.toString(scene.shapes().size()))));
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.POSITION, "Where is the " + kind.word() + "?", positions,
                    scene -> only(scene, s -> s.kind() == kind).map(s -> s.position().word())));
        }
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.EXISTENCE, "Is there a " + kind.word() + "?", List.of("yes", "no"),
                    scene -> Optional.of(scene.shapes().stream().anyMatch(s -> s.kind() == kind) ? "yes" : "no")));
        }
        for (ShapeColor color : ShapeColor.values()) {
            questions.add(new Question(QuestionType.SHAPE, "Which shape is " + color.word() + "?", kinds,
                    scene -> only(scene, s -> s.color() == color).map(s -> s.kind().word())));
        }
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.SIZE, "Is the " + kind.word() + " small or large?", sizes,
                    scene -> only(scene, s -> s.kind() == kind).map(s -> s.size().word())));
        }
        for (ShapeColor color : ShapeColor.values()) {
            questions.add(new Question(QuestionType.COLOR_COUNT, "How many " + color.word() + " shapes are there?",
                    counts(0, MAX_COLOR_COUNT), scene -> Optional.of(scene.shapes().stream().filter(s -> s.color() == color).count())
                            .filter(n -> n <= MAX_COLOR_COUNT).map(n -> Long.toString(n))));
        }
        for (ShapeKind kind : ShapeKind.values()) {
            questions.add(new Question(QuestionType.DESCRIBE, "Describe the " + kind.word() + ".", List.of(),
                    scene -> only(scene, s -> s.kind() == kind).map(Annotator::describe)));
        }
        return List.copyOf(questions);
    }

    private static List<String> counts(int from) {
        return counts(from, Scene.MAX_SHAPES);
    }

    private static List<String> counts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
    }

    /** The one shape that matches, if exactly one does. */
    private static Optional<Shape> only(Scene scene, Predicate<Shape> matches) {
        List<Shape> found = scene.shapes().stream().filter(matches).limit(2).toList();
        return found.size() == 1 ? Optional.of(found.getFirst()) : Optional.empty();
    }

    static List<Question> questions(QuestionType type) {
        return QUESTIONS.stream().filter(q -> q.type() == type).toList();
    }

    /** One shape as captions name it: "a large red circle on the left". */
    static String describe(Shape s) {
        return "a " + s.size().word() + " " + s.color().word() + " " + s.kind().word() + " " + s.position().phrase();
    }

    /** "a large red circle on the left, a small blue square in the center and a large black star at the bottom". */
    static String caption(Scene scene) {
        List<String> parts = scene.shapes().stream().map(Annotator::describe).toList();
        int last = parts.size() - 1;
        return last == 0 ? parts.getFirst() : String.join(", ", parts.subList(0, last)) + " and " + parts.get(last);
    }
}
