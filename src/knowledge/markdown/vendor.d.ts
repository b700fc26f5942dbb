// markdown-it-container ships no types.
declare module "markdown-it-container" {
  import type MarkdownIt from "markdown-it";
  interface ContainerOptions {
    validate?: (params: string, markup: string) => boolean;
    marker?: string;
  }
  const container: (md: MarkdownIt, name: string, options?: ContainerOptions) => void;
  export default container;
}
