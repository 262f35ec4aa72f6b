/**
 * Okta's built-in security questions, by the key Okta gives each and the English text it ships
 * with (`GET /api/v1/users/{id}/factors/questions`; the IDX security-question authenticator's
 * `questionKey`, okta-idx-contract.md §7). Okta asks them in English on Classic
 * (`recovery_question.question`), so the pages translate a question they recognise, by key or by
 * this exact text, through the `securityQuestion.<key>` messages; a question the user wrote
 * themselves (IDX key `custom`, or any other text) is shown as they typed it.
 */
export const BUILT_IN_QUESTIONS: Readonly<Record<string, string>> = Object.freeze({
  disliked_food: 'What is the food you least liked as a child?',
  name_of_first_plush_toy: 'What is the name of your first stuffed animal?',
  first_award: 'What did you earn your first medal or award for?',
  favorite_security_question: 'What is your favorite security question?',
  favorite_toy: 'What is the toy/stuffed animal you liked the most as a kid?',
  first_computer_game: 'What was the first computer game you played?',
  favorite_movie_quote: 'What is your favorite movie quote?',
  first_sports_team_mascot: 'What was the mascot of the first sports team you played on?',
  first_music_purchase: 'What music album or song did you first purchase?',
  favorite_art_piece: 'What is your favorite piece of art?',
  grandmother_favorite_desert: "What was your grandmother's favorite dessert?",
  first_thing_cooked: 'What was the first thing you learned to cook?',
  childhood_dream_job: 'What was your dream job as a child?',
  first_kiss_location: 'Where did you have your first kiss?',
  place_where_significant_other_was_met: 'Where did you meet your spouse/significant other?',
  favorite_vacation_location: 'Where did you go for your favorite vacation?',
  new_years_two_thousand: "Where were you on New Year's Eve in the year 2000?",
  favorite_speaker_actor: 'Who is your favorite speaker/orator?',
  favorite_book_movie_character: 'Who is your favorite book/movie character?',
  favorite_sports_player: 'Who is your favorite sports player?',
});

const KEY_OF_TEXT: ReadonlyMap<string, string> = new Map(Object.entries(BUILT_IN_QUESTIONS).map(([key, text]) => [text, key]));

/**
 * The question as the flow keeps it: a built-in question by its English text (however Okta worded
 * or localised it this time), anything else as typed. An engine that knows the key passes it.
 */
export function questionAsAsked(text: string, key?: string): string {
  return (key !== undefined && BUILT_IN_QUESTIONS[key]) || text;
}

/** The built-in question this text is, if it is one, exactly as Okta ships it. */
export function builtInQuestionKey(text: string): string | undefined {
  return KEY_OF_TEXT.get(text.trim());
}
