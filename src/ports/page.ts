// Keyset pagination, as the stores see it: a page starts after a sort key (never an offset, so rows
// inserted meanwhile neither shift nor repeat what a client has already read).

/** The sort key of the lists ordered by creation; `id` breaks ties between equal times. */
export interface TimeKey {
  createdAt: Date;
  id: string;
}

/** `after`: the key of the last item of the previous page (null: the first page). */
export interface PageRequest<K> {
  after: K | null;
  limit: number;
}

/** `next`: the key to continue after, or null when this is the last page. */
export interface Page<T, K> {
  items: T[];
  next: K | null;
}
