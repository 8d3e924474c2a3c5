package dev.jvlm.synth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The generator's words, taken from the annotator's own questions and answers and from captions of
 * scenes that together use every kind, colour, size and cell, so the list cannot drift from what is
 * generated.
 */
final class Vocabulary {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}-]+|[^\\s\\p{L}\\p{N}-]");

    private Vocabulary() {
    }

    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    static SortedSet<String> words() {
        SortedSet<String> words = new TreeSet<>(split(Annotator.CAPTION_PROMPT));
        for (Annotator.Question question : Annotator.QUESTIONS) {
            words.addAll(split(question.text()));
            question.answers().forEach(answer -> words.addAll(split(answer)));
        }
        for (Scene scene : captionScenes()) {
            words.addAll(split(Annotator.caption(scene)));
        }
        return Collections.unmodifiableSortedSet(words);
    }

    /** One-shape scenes of every kind, colour, size and cell, and one scene long enough to list shapes. */
    private static List<Scene> captionScenes() {
        List<Scene> scenes = new ArrayList<>();
        for (ShapeKind kind : ShapeKind.values()) {
            for (ShapeColor color : ShapeColor.values()) {
                for (ShapeSize size : ShapeSize.values()) {
                    for (Position position : Position.values()) {
                        scenes.add(new Scene(List.of(new Shape(kind, color, size, position)), 255, 0, 0));
                    }
                }
            }
        }
        List<Shape> many = Stream.of(Position.values()).limit(Scene.MAX_SHAPES)
                .map(p -> new Shape(ShapeKind.CIRCLE, ShapeColor.RED, ShapeSize.SMALL, p))
                .toList();
        scenes.add(new Scene(many, 255, 0, 0));
        return scenes;
    }
}
