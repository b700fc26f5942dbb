/** A span of a text by UTF-16 offsets, end exclusive: the one range type of sentences, hygiene and display. */
export interface Range {
  start: number;
  end: number;
}
