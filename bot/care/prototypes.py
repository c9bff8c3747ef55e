"""The statements a question is compared with to tell distress from a practice question.

Meaning, not wording: a question is near these when it *says the same kind of thing*,
whatever its words. Three sets, so that the comparison is relative. A question is not
judged by how sad it sounds in absolute terms ("this bug is killing me", "my practice
feels pointless" both lean that way) but by whether it is closer to a person in pain
than to a person asking how to practise.

The practice set deliberately holds the near misses a practice community writes every
day (frustration with a bug, a plateau, a failed exam, impostor feelings *with a how
question*, research *about* mental health), so they pull a question towards "practice". None of the sentences the
tests check is in here: the tests measure whether this generalises.
"""

from __future__ import annotations

#: Someone hurting: self-worth pain, hopelessness, not coping, isolation.
DISTRESS: tuple[str, ...] = (
    "I feel so stupid compared to everyone else",
    "I feel worthless",
    "I'm useless and I always will be",
    "I'm a failure at everything I try",
    "what's the point of anything, I always fail",
    "I can't handle anything anymore",
    "I can't keep going like this",
    "I hate myself",
    "I'm not good enough and I never will be",
    "I feel completely alone and nobody cares about me",
    "I'm so overwhelmed I can't function",
    "I feel hopeless about everything",
    "I'm falling apart",
    "I cry every day and don't know what to do",
    "I'm ashamed of who I am",
    "I want to disappear",
    "everyone is better than me and I don't belong here",
    "I'm such a disappointment to everyone",
    "I'm exhausted and empty and nothing helps",
    "I feel like giving up on everything",
    "nobody would notice if I was gone",
    "I don't see a way out",
    "I'm so depressed",
    "I feel like I'm drowning",
    "I'm broken",
    "my life is a mess and it's all my fault",
    "I panic all the time and can't stop",
    "I'm always the dumbest person in the room",
)

#: Someone who may not be safe: thoughts of suicide or self-harm.
CRISIS: tuple[str, ...] = (
    "I keep thinking about killing myself",
    "I don't want to live anymore",
    "I want to end my life",
    "I've been thinking about suicide",
    "I want to hurt myself",
    "everyone would be better off if I were dead",
    "I can't go on living",
    "I have a plan to end it tonight",
)

#: Someone asking how to practise, learn or work, including frustrated near misses.
PRACTICE: tuple[str, ...] = (
    "how do I practise more effectively",
    "how can I get better at this skill faster",
    "I'm stuck on a problem and don't know how to start",
    "I keep procrastinating on my writing",
    "my practice sessions feel useless without a teacher",
    "how do I get useful feedback on my work",
    "I'm stuck on this section of the book",
    "this error is driving me crazy",
    "how do I stay motivated to practise daily",
    "my experiment failed, what should I change next",
    "I'm behind my peers in coding, how do I catch up",
    "there are too many papers to read, how do I prioritise",
    "what's the point of doing drills",
    "I keep failing this exam, how should I prepare",
    "I'm bad at public speaking, how do I improve",
    "I'm overwhelmed by my to-do list, how do I plan my week",
    "I feel nervous before presentations, any tips",
    "how do I deal with impostor feelings at work",
    "my code is a mess, how do I refactor it",
    "the deadline is killing me, how do I finish on time",
    "I'm dying to learn how others organise their notes",
    "I'm frustrated that I'm not improving at chess",
    "I lose focus after twenty minutes of study",
    "my research feels stuck, how do I find a new angle",
    "I can't decide which project to work on",
    "I hit a plateau in my running",
    "what is deliberate practice",
    "how do I double crux with a colleague",
    "I want to quit this approach and try something else",
    "learning guitar feels slow, is that normal",
    "what does the literature say about burnout in academia",
    "how do I design a study on anxiety in students",
    "can you recommend papers on depression and productivity",
)
