/** Vite's `?raw` imports (vitest): a file's text, for tests that read index.html and styles.css. */
declare module '*?raw' {
  const text: string;
  export default text;
}
