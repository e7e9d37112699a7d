// The launch data the server renders into the page with Django's `json_script` filter.

export interface AssignmentInfo {
  id: number
  title: string
  instructions: string
  maxSizeBytes: number
  allowedMimeTypes: string[]
  allowedExtensions: string[]
  maxPoints: number
  dueAt: string | null
  /** The assignment's maximum video length; null: none. */
  maxDurationSeconds: number | null
  /** How students may make their video. */
  allowedSources: ('upload' | 'camera' | 'screen')[]
  /** Optional rubric: criteria, each with levels (best first). */
  rubric?: RubricCriterion[]
}

export interface RubricCriterion {
  title: string
  levels: { points: number; description: string }[]
}

export interface LaunchData {
  token: string
  apiBase: string
  /** Seconds the launch token lives unless renewed. */
  tokenTtl: number
  role: 'student' | 'teacher'
  /** `key`: an opaque name for this person in this tenant (keeps browser-kept uploads apart). */
  user: { name: string; key: string }
  assignment: AssignmentInfo
  /** A Submission Review launch: the submission to open (null: the student has none). */
  reviewSubmissionId: number | null
  reviewStudentName: string | null
}

export function readLaunchData(elementId = 'launch-data'): LaunchData {
  const script = document.getElementById(elementId)
  if (!script?.textContent) {
    throw new Error(`Missing #${elementId}: the page was rendered without launch data.`)
  }
  return JSON.parse(script.textContent) as LaunchData
}
