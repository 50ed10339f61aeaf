/**
 * What every view is (issue 12): its root element, `update` with the model it draws, and `destroy`,
 * which removes every DOM listener it added (each is added with the signal of one AbortController),
 * stops its timers and takes what it drew off the page. Views draw and report intents through the
 * callbacks they are given; they never fetch (the controller does: controller/).
 */
export interface View<M> {
  readonly element: HTMLElement;
  update(model: M): void;
  destroy(): void;
}
