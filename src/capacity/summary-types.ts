/** The compact JSON bodies of the summary rows (summary-writer.ts writes them, snapshot.ts reads them). */
import type { HealthcareServiceAvailableTime, HealthcareServiceNotAvailable } from '@medplum/fhirtypes';
import type { HolidayHours } from '../region/calendar.ts';
import type { Position } from '../region/model.ts';
import type { BasicElement, Crowding, Observation } from './read.ts';

export interface ServiceBody {
  name?: string;
  active: boolean;
  careOptions: string[];
  orgDisplay?: string;
  locationIds: string[];
  missing: BasicElement[];
  updated?: string;
  hours: { availableTime?: HealthcareServiceAvailableTime[]; notAvailable?: HealthcareServiceNotAvailable[]; holidayHours?: HolidayHours };
  crowding?: Crowding;
}

export interface LocationBody {
  name?: string;
  status: string;
  operational?: string;
  admitting: boolean;
  position?: Position;
  reported?: Observation;
  updated?: string;
}

export interface ScheduleBody {
  careOptions: string[];
  active: boolean;
  locationId?: string;
  reported?: Observation;
}

export interface OrgBody {
  name?: string;
  active: boolean;
}
