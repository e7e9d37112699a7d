// The teacher page's endpoints: the grading queue, grades, release and time-stamped comments.

import { ApiClient } from './api'
import type { components } from './api-schema'

type Schemas = components['schemas']

export type GradeSyncState = 'none' | 'unavailable' | 'pending' | 'sent' | 'failed'
// The schema types `sync.state` as a plain string (its values mix the score send's states with
// "none" and "unavailable"); the page narrows it to the ones it has labels for.
export type GradeSync = Omit<Schemas['GradeSyncOut'], 'state'> & { state: GradeSyncState }
export type GradeState = Omit<Schemas['GradeOut'], 'sync'> & { sync: GradeSync }
export type Queue = Schemas['QueueOut']
export type QueueItem = Schemas['QueueItemOut']
export type QueueFilter = Queue['filter']
export type QueueCounts = Schemas['QueueCountsOut']
export type TimedComment = Schemas['TimedCommentOut']
export type Version = Schemas['VersionOut']

export class TeacherApi extends ApiClient {
  queue(filter: QueueFilter, page: number): Promise<Queue> {
    return this.request('GET', `/queue?filter=${filter}&page=${page}`)
  }

  /** The submission after (or before) this one among those the filter keeps; null: none. */
  async neighbour(after: number, direction: 'next' | 'previous', filter: QueueFilter): Promise<number | null> {
    const query = `after=${after}&direction=${direction}&filter=${filter}`
    const found: Schemas['NeighbourOut'] = await this.request('GET', `/queue/neighbour?${query}`)
    return found.submission_id ?? null
  }

  /** The student's current video and the earlier ones it replaced, newest first. */
  versions(submissionId: number): Promise<Version[]> {
    return this.request('GET', `/submissions/${submissionId}/versions`)
  }

  grade(submissionId: number): Promise<GradeState> {
    return this.request('GET', `/submissions/${submissionId}/grade`)
  }

  saveGrade(
    submissionId: number,
    score: number,
    comment: string,
    rubric: { rubric_levels?: number[] | null; score_note?: string } = {},
  ): Promise<GradeState> {
    const body = { score, comment, score_note: '', ...rubric } satisfies Schemas['GradeIn']
    return this.request('POST', `/submissions/${submissionId}/grade`, body)
  }

  resendGrade(submissionId: number): Promise<GradeState> {
    return this.request('POST', `/submissions/${submissionId}/grade/resend`)
  }

  releaseGrades(): Promise<Schemas['ReleasedOut']> {
    return this.request('POST', '/grades/release')
  }

  comments(submissionId: number): Promise<TimedComment[]> {
    return this.request('GET', `/submissions/${submissionId}/comments`)
  }

  addComment(submissionId: number, atSeconds: number, text: string): Promise<TimedComment> {
    const body = { at_seconds: atSeconds, text } satisfies Schemas['TimedCommentIn']
    return this.request('POST', `/submissions/${submissionId}/comments`, body)
  }

  editComment(commentId: number, atSeconds: number, text: string): Promise<TimedComment> {
    const body = { at_seconds: atSeconds, text } satisfies Schemas['TimedCommentIn']
    return this.request('PUT', `/comments/${commentId}`, body)
  }

  deleteComment(commentId: number): Promise<void> {
    return this.request('DELETE', `/comments/${commentId}`)
  }
}
