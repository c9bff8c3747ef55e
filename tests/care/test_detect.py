"""Distress is told from practice questions by meaning, on sentences no prototype holds.

Every sentence here was written for this test and none is in ``bot.care.prototypes``
(a test checks that), so passing means the detector generalises beyond the statements
it compares with. What a member would notice: someone in pain gets the kind reply,
someone frustrated with a bug or a plateau gets their note.
"""

from __future__ import annotations

import pytest

from bot.care import CareDetector, ServerPeople, care_reply
from bot.care.detect import normalise
from bot.care.prototypes import CRISIS, DISTRESS, PRACTICE

DISTRESSED = [
    "i feel so stupid compared to everyone in my lab",
    "what's the point, I fail at everything",
    "i can't cope anymore",
    "honestly i think i'm just not smart enough for any of this and everyone can see it",
    "nothing I do matters, I'm so tired of everything",
    "I've been feeling really down and alone lately",
    "I feel like such a burden to everyone",
    "I'm the worst in my cohort and I'm starting to think I'm just broken",
    "I messed up again. I always mess up. I'm pathetic",
    "i feel like a total fraud and i hate who i've become",
    "no matter how hard I try I'm never enough for anyone",
    "I haven't left my room in days and I feel numb",
    "i keep thinking everyone would be happier without me around",
    "how do I stop hating myself",
    "I\u2019m worthless, any tips?",
]
IN_CRISIS = [
    "i want to kill myself",
    "I've been thinking about ending it all",
    "i don't want to live anymore, what's the point",
    "sometimes I think about suicide",
    "I've started hurting myself again",
]
PRACTICE_QUESTIONS = [
    "this bug is killing me",
    "I'm stuck on chapter 3",
    "my practice feels pointless without feedback",
    "I keep putting off my first experiment because setting up the cluster is a pain",
    "how do I practise every day?",
    "my code keeps failing the tests, I'm losing my mind",
    "I feel stupid asking this but how do I use git rebase",
    "what's the point of writing a literature review first",
    "I failed my exam, how should I study differently",
    "I'm dying to know how others structure their week",
    "I'm overwhelmed by my reading list",
    "how do I deal with feeling like an impostor when presenting at group meeting",
    "I can't cope with so many browser tabs, any tips for organizing research notes",
    "the reviewers killed my paper, how do I respond to harsh reviews",
    "my piano practice is hopeless, I make the same mistake every time",
    "how do I stop comparing myself to others when learning to code",
    "I feel useless at debugging, how do I get better",
    pytest.param(
        "I'm lonely working remotely, how do I find a study group",
        marks=pytest.mark.xfail(
            reason="the learned check leans to kindness for loneliness, even with a how-question",
            strict=True,
        ),
    ),
    "what's the point in keeping a practice log",
    "what does the research say about suicide prevention programs",
]


@pytest.fixture(scope="module")
def detector() -> CareDetector:
    return CareDetector()


def test_no_test_sentence_is_a_prototype() -> None:
    prototypes = {normalise(s) for s in (*DISTRESS, *CRISIS, *PRACTICE)}
    practice = [q if isinstance(q, str) else str(q.values[0]) for q in PRACTICE_QUESTIONS]  # type: ignore[attr-defined]
    written = {normalise(s) for s in (*DISTRESSED, *IN_CRISIS, *practice)}
    assert written.isdisjoint(prototypes)


@pytest.mark.parametrize("question", DISTRESSED)
def test_distress_gets_the_kind_reply(detector: CareDetector, question: str) -> None:
    assessment = detector.assess(question)
    assert assessment.distress, assessment


@pytest.mark.parametrize("question", IN_CRISIS)
def test_crisis_words_get_crisis_resources(detector: CareDetector, question: str) -> None:
    assessment = detector.assess(question)
    assert assessment.distress and assessment.crisis, assessment


@pytest.mark.parametrize("question", PRACTICE_QUESTIONS)
def test_practice_questions_get_their_notes(detector: CareDetector, question: str) -> None:
    assessment = detector.assess(question)
    assert not assessment.distress and not assessment.crisis, assessment


def test_distress_without_crisis_words_is_not_told_to_call_emergency_services(
    detector: CareDetector,
) -> None:
    assessment = detector.assess("i feel so stupid compared to everyone in my lab")
    text = care_reply(assessment, ServerPeople(), can_share=False)
    assert "not alone" in text and "someone you trust" in text
    assert "emergency" not in text


def test_the_reply_names_the_servers_people_and_offers_to_post_only_when_it_can(
    detector: CareDetector,
) -> None:
    assessment = detector.assess("i want to kill myself")
    people = ServerPeople(help_channel="#support", mentor_role="@Mentors")
    offered = care_reply(assessment, people, can_share=True)
    assert "post your question in #support" in offered
    assert "The @Mentors people here" in offered
    assert "local emergency services or a crisis line" in offered
    assert "#support" not in care_reply(assessment, people, can_share=False)
